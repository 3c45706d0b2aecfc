/** Evaluation vocabulary shared by all methods: correlations, rankings, curves. */
package org.exemplar.eval;
