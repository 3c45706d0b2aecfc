/** Provenance of results and JSON serialization of summaries. */
package org.exemplar.io;
