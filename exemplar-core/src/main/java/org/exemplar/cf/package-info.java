/**
 * Collaborative filtering and its high-dimensional representers (Tsai et al. 2023, Sec. 5, App. C, F, G).
 *
 * <ul>
 *   <li>{@link org.exemplar.cf.Ratings}: observed (user, item, value) triplets with per-user and per-item
 *       index lists; {@link org.exemplar.cf.RatingsFiles} reads MovieLens {@code u.data} and {@code .npy}
 *       triplets.</li>
 *   <li>Models: {@link org.exemplar.cf.MfTrainer} (eq. 16, ALS and SGD, squared loss or weighted binary
 *       cross-entropy with negative sampling) and {@link org.exemplar.cf.SoftImpute} (eq. 12, nuclear norm,
 *       Mazumder et al. 2010).</li>
 *   <li>{@link org.exemplar.cf.NormalizedEmbeddings}: Algorithm 1 (with the V2 correction of SPEC.md).</li>
 *   <li>{@link org.exemplar.cf.CfRepresenter}: Definition 1 (eq. 15) user- and item-based explanations, and
 *       the baselines {@link org.exemplar.cf.Fia} (Cheng et al. 2019) and {@link org.exemplar.cf.TracInCp}
 *       (eq. 20-21).</li>
 *   <li>{@link org.exemplar.cf.CfDeletion}: case-deletion diagnostics (Sec. 6.3) through
 *       {@link org.exemplar.eval.DeletionDiagnostics}; {@link org.exemplar.cf.NegativeSampling}: App. C.</li>
 * </ul>
 *
 * <p>Sign convention everywhere in this package: a positive importance means the training rating pushes the
 * explained prediction score UP (removing it should lower the score).
 *
 * <p>References: C.-P. Tsai, J. Zhang, E. Chien, H.-F. Yu, C.-J. Hsieh, P. Ravikumar, "Representer Point
 * Selection for Explaining Regularized High-dimensional Models", ICML 2023. R. Mazumder, T. Hastie,
 * R. Tibshirani, "Spectral Regularization Algorithms for Learning Large Incomplete Matrices", JMLR 2010.
 * W. Cheng et al., "Incorporating Interpretability into Latent Factor Models via Fast Influence Analysis",
 * KDD 2019. G. Pruthi et al., "Estimating Training Data Influence by Tracing Gradient Descent", NeurIPS 2020.
 */
package org.exemplar.cf;
