package org.exemplar.index;

import java.util.List;
import org.exemplar.attribution.RankedPoint;

/**
 * The answer to one query of an {@link ExplanationIndex}.
 *
 * @param predictedClass        the class the indexed model predicts for the query (-1 when the method has none)
 * @param explainedClass        the class whose output the scores explain
 * @param outputs               the model's outputs (logits) for the query
 * @param supporting            top-k positive scores (excitatory), best first; empty when not asked for
 * @param opposing              top-k negative scores (inhibitory), most negative first; empty when not asked for
 * @param exact                 true when every training point was scored (false: approximate search)
 * @param decompositionResidual |sum of all scores - explained output| / max(1, |output|) for methods whose scores
 *                              decompose the output (rps-l2), NaN otherwise or when approximate
 */
public record Explanation(int predictedClass, int explainedClass, double[] outputs, List<RankedPoint> supporting,
                          List<RankedPoint> opposing, boolean exact, double decompositionResidual) {
}
