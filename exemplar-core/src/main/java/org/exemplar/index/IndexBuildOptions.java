package org.exemplar.index;

import java.util.List;
import org.exemplar.linalg.DenseMatrix;

/**
 * Options of {@link ExplanationIndex#build}: storage precision of the memory-mapped training rows and the optional
 * payloads stored beside the index (an image per training row, or an id/text per row) and an optional test set
 * (features, labels, images) that a page can offer as query points.
 *
 * @param float32      store the training rows as float32 (half the bytes per scan; the scores then differ from
 *                     float64 by the rounding of the stored features, see docs/server.md for the ranking check)
 * @param images       one uint8 image per training row, row-major (n x height x width), or null
 * @param imageHeight  height of every image
 * @param imageWidth   width of every image
 * @param ids          one id or text snippet per training row, or null
 * @param testFeatures features of shipped query points (same width as the training rows), or null
 * @param testLabels   their labels, or null
 * @param testImages   their images (uint8, same size as the training images), or null
 */
public record IndexBuildOptions(boolean float32, byte[] images, int imageHeight, int imageWidth, List<String> ids,
                                DenseMatrix testFeatures, int[] testLabels, byte[] testImages) {
    /** float64 rows, no payloads, no test set. */
    public static IndexBuildOptions defaults() {
        return new IndexBuildOptions(false, null, 0, 0, null, null, null, null);
    }

    public IndexBuildOptions withFloat32(boolean f) {
        return new IndexBuildOptions(f, images, imageHeight, imageWidth, ids, testFeatures, testLabels, testImages);
    }

    public IndexBuildOptions withImages(byte[] pixels, int height, int width) {
        return new IndexBuildOptions(float32, pixels, height, width, ids, testFeatures, testLabels, testImages);
    }

    public IndexBuildOptions withIds(List<String> rowIds) {
        return new IndexBuildOptions(float32, images, imageHeight, imageWidth, List.copyOf(rowIds), testFeatures,
                testLabels, testImages);
    }

    public IndexBuildOptions withTestSet(DenseMatrix features, int[] labels, byte[] pixels) {
        return new IndexBuildOptions(float32, images, imageHeight, imageWidth, ids, features, labels, pixels);
    }
}
