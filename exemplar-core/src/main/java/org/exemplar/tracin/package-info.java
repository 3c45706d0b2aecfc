/**
 * TracInCP for networks (Pruthi et al. 2020, "Estimating training data influence by tracing gradient descent",
 * eq. 3 / Sec. 3.2): checkpoints of an {@link org.exemplar.model.Mlp} saved during SGD training with their learning
 * rates ({@link org.exemplar.tracin.CheckpointTraining}), and the sum over checkpoints of learning rate times the
 * dot product of the test and training gradients ({@link org.exemplar.tracin.NetworkTracIn}), on all parameters or
 * on the last layer only.
 */
package org.exemplar.tracin;
