/**
 * Representer points for deep networks (Yeh, Kim, Yen, Ravikumar, NeurIPS 2018): last-layer fit to a
 * stationary point, representer values, excitatory and inhibitory training points, fidelity, dataset
 * debugging and sensitivity-map decomposition.
 */
package org.exemplar.representer;
