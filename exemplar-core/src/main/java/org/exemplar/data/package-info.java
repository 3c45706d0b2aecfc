/**
 * Reading and writing the files Exemplar consumes and produces: NumPy {@code .npy} / {@code .npz}
 * ({@link org.exemplar.data.Npy}, {@link org.exemplar.data.Npz}, {@link org.exemplar.data.NpyRowWriter}),
 * MNIST-style IDX files ({@link org.exemplar.data.Idx}) and numeric CSV ({@link org.exemplar.data.Csv}).
 *
 * <p>Conventions shared by every class here:
 * <ul>
 *   <li>Every problem with an input or output file is reported as a {@link org.exemplar.data.DataException}
 *       whose message starts with the file and says what is wrong (shape, dtype, value, line number).</li>
 *   <li>Every write is atomic ({@link org.exemplar.data.AtomicFiles}): data goes to a temporary file in the
 *       target's directory which is then renamed over the target, so a crash or error never leaves a
 *       half-written output behind.</li>
 *   <li>Large {@code .npy} files (and uncompressed {@code .npz} members) are memory-mapped and decoded
 *       straight into the destination Java array, so loading costs one copy of the data.</li>
 *   <li>Matrices are row-major {@link org.exemplar.linalg.DenseMatrix} instances; arrays with more than two
 *       dimensions flatten their trailing dimensions into columns.</li>
 * </ul>
 */
package org.exemplar.data;
