package dev.rainbarrel.stats;

/**
 * Renders log2 bucket counts in the text form of the Ruby aggregate gem's {@code Aggregate#to_s}
 * (0.2.x), which raindrops' Watcher serves as its {@code .txt} page body:
 * <pre>
 * value |------------------------------------------------------------------| count
 *     1 |@@                                                                |     2
 *     2 |@@                                                                |     2
 *     4 |@                                                                 |     1
 *     8 |@@                                                                |     2
 *    16 |@                                                                 |     1
 *       ~
 * Total |------------------------------------------------------------------|     8
 * </pre>
 * (samples 0 1 1 2 3 5 8 13 21 0: the zeros are outliers and not shown.)
 * Rules, for {@code columns} (default 80, at least 80):
 * <ul>
 *   <li>no non-empty bucket: the text is {@code "Empty histogram"} with no newline;</li>
 *   <li>{@code vw = max(digits(2^last non-empty index), 5)}, {@code cw = max(digits(total), 5)},
 *       bar width {@code w = columns - (vw + 4 + cw)}; one {@code @} stands for
 *       {@code weight = max(maxCount / w, 1.0)} samples (double arithmetic, truncated);</li>
 *   <li>header {@code "value"} right-aligned in vw, {@code " |"}, w dashes, {@code "| "}, {@code "count"}
 *       right-aligned in cw;</li>
 *   <li>one row per non-empty bucket: {@code 2^i} right-aligned in vw, {@code " |"}, the bar padded with
 *       spaces to w, {@code "| "}, the count right-aligned in cw; a row of vw spaces and {@code " ~"}
 *       before any row whose bucket does not directly follow the previous printed one, and after the last
 *       row (the gem's 128th bucket, {@code 2^127}, is never reached by 64-bit samples);</li>
 *   <li>footer {@code "Total"} right-aligned in vw, {@code " |"}, w dashes, {@code "| "}, the total
 *       right-aligned in cw. The total excludes outliers (zeros). Every line ends with {@code \n}.</li>
 * </ul>
 */
final class Log2HistogramText {

    private Log2HistogramText() {
    }

    static String render(long[] log2, int columns) {
        if (columns < 80) {
            throw new IllegalArgumentException("columns " + columns + " is below 80");
        }
        int first = -1;
        int last = -1;
        long maxCount = 0;
        long total = 0;
        for (int i = 0; i < log2.length; i++) {
            if (log2[i] != 0) {
                first = first < 0 ? i : first;
                last = i;
                maxCount = Math.max(maxCount, log2[i]);
                total += log2[i];
            }
        }
        if (first < 0) {
            return "Empty histogram";
        }
        int valueWidth = Math.max(Long.toString(1L << last).length(), 5);
        int countWidth = Math.max(Long.toString(total).length(), 5);
        int barWidth = columns - (valueWidth + 2 + 2 + countWidth);
        double weight = Math.max((double) maxCount / (double) barWidth, 1.0);
        String dashes = "-".repeat(barWidth);
        String skipRow = " ".repeat(valueWidth) + " ~\n";

        StringBuilder out = new StringBuilder();
        out.append(pad("value", valueWidth)).append(" |").append(dashes).append("| ")
                .append(pad("count", countWidth)).append('\n');
        int previous = first - 1;
        for (int i = first; i <= last; i++) {
            if (log2[i] == 0) {
                continue;
            }
            if (previous != i - 1) {
                out.append(skipRow);
            }
            previous = i;
            int bar = (int) (log2[i] / weight);
            out.append(pad(Long.toString(1L << i), valueWidth)).append(" |")
                    .append("@".repeat(bar)).append(" ".repeat(barWidth - bar)).append("| ")
                    .append(pad(Long.toString(log2[i]), countWidth)).append('\n');
        }
        out.append(skipRow);
        out.append(pad("Total", valueWidth)).append(" |").append(dashes).append("| ")
                .append(pad(Long.toString(total), countWidth)).append('\n');
        return out.toString();
    }

    private static String pad(String s, int width) {
        return s.length() >= width ? s : " ".repeat(width - s.length()) + s;
    }
}
