package org.exemplar.representer;

import java.util.List;

/**
 * The explanation of one test prediction: the training points that pushed the explained class's output up
 * (excitatory, largest positive representer values first) and down (inhibitory, most negative first).
 *
 * @param output the explained class's output, which equals the sum of all representer values (Thm 3.1)
 */
public record Explanation(int testIndex, int explainedClass, double output, List<RepresenterPoint> excitatory,
                          List<RepresenterPoint> inhibitory) {
}
