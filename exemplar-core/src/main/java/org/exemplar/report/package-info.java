/** Self-contained HTML reports with embedded PNG images and charts (XChart). */
package org.exemplar.report;
