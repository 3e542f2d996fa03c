package dev.setrec.jobs.quickstart;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * A line chart over the run's time as inline SVG, drawn here so that the report needs no library and no network:
 * axes with round ticks, one polyline per line (broken where a value is missing), a legend, and dashed vertical
 * markers for events such as a model swap.
 */
final class SvgChart {
    private static final int WIDTH = 760;
    private static final int HEIGHT = 280;
    private static final int LEFT = 64;
    private static final int RIGHT = 16;
    private static final int TOP = 44;
    private static final int BOTTOM = 36;
    private static final int PLOT_WIDTH = WIDTH - LEFT - RIGHT;
    private static final int PLOT_HEIGHT = HEIGHT - TOP - BOTTOM;
    private static final int Y_TICKS = 4;
    private static final int X_TICKS = 6;
    private static final int LEGEND_CHAR_WIDTH = 7;
    private static final String[] COLOURS = {"#1f6fb4", "#d0342c", "#2a9a3a", "#e07b00", "#7a4fb0", "#8c564b",
            "#c2478f", "#5f6b73"};
    private static final long[] ROUND_SECONDS = {1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600};

    /** A named line: y values at x values (seconds since the start); NaN where there is no value. */
    record Line(String name, double[] xs, double[] ys) {
        Line {
            if (xs.length != ys.length) {
                throw new IllegalArgumentException(xs.length + " x values for " + ys.length + " y values");
            }
        }
    }

    /** A vertical mark at x (seconds since the start) with its label. */
    record Marker(double x, String label) {
    }

    private SvgChart() {
    }

    /** The chart as an {@code <svg>} element; x runs from 0 to {@code xMaxSeconds}, y from 0 to a round top. */
    static String draw(String title, double xMaxSeconds, List<Line> lines, List<Marker> markers) {
        double xMax = Math.max(1, xMaxSeconds);
        double yMaxSeen = lines.stream().flatMapToDouble(l -> Arrays.stream(l.ys()))
                .filter(Double::isFinite).max().orElse(Double.NaN);
        boolean empty = Double.isNaN(yMaxSeen);
        double yStep = roundStep(empty || yMaxSeen <= 0 ? 1 : yMaxSeen / Y_TICKS);
        Scale scale = new Scale(xMax, empty ? yStep : Math.max(yStep, Math.ceil(yMaxSeen / yStep) * yStep));

        StringBuilder svg = new StringBuilder();
        svg.append(format("<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" width=\"%d\" "
                + "height=\"%d\" role=\"img\" aria-label=\"%s\">%n", WIDTH, HEIGHT, WIDTH, HEIGHT, escape(title)));
        svg.append(format("<text class=\"title\" x=\"%d\" y=\"16\">%s</text>%n", LEFT, escape(title)));
        yAxis(svg, scale, yStep);
        xAxis(svg, scale, roundSeconds(xMax / X_TICKS));
        for (Marker marker : markers) {
            double x = scale.x(marker.x());
            svg.append(format("<line class=\"marker\" x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\"/>"
                    + "<text class=\"marker\" x=\"%.1f\" y=\"%d\">%s</text>%n", x, TOP, x, TOP + PLOT_HEIGHT,
                    x + 3, TOP + 10, escape(marker.label())));
        }
        for (int i = 0; i < lines.size(); i++) {
            line(svg, scale, lines.get(i), COLOURS[i % COLOURS.length]);
        }
        legend(svg, lines);
        if (empty) {
            svg.append(format("<text class=\"empty\" x=\"%d\" y=\"%d\">no data</text>%n", LEFT + PLOT_WIDTH / 2,
                    TOP + PLOT_HEIGHT / 2));
        }
        return svg.append("</svg>\n").toString();
    }

    private record Scale(double xMax, double yTop) {
        double x(double seconds) {
            return LEFT + seconds / xMax * PLOT_WIDTH;
        }

        double y(double value) {
            return TOP + PLOT_HEIGHT - value / yTop * PLOT_HEIGHT;
        }
    }

    private static void yAxis(StringBuilder svg, Scale scale, double step) {
        int decimals = Math.max(0, (int) -Math.floor(Math.log10(step)));
        for (int i = 0; i * step <= scale.yTop() + step / 1e6; i++) {
            double y = scale.y(i * step);
            svg.append(format("<line class=\"grid\" x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\"/>"
                    + "<text class=\"tick\" x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>%n", LEFT, y,
                    LEFT + PLOT_WIDTH, y, LEFT - 6, y + 4, format("%,." + decimals + "f", i * step)));
        }
    }

    private static void xAxis(StringBuilder svg, Scale scale, long stepSeconds) {
        int bottom = TOP + PLOT_HEIGHT;
        svg.append(format("<line class=\"axis\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>%n", LEFT, bottom,
                LEFT + PLOT_WIDTH, bottom));
        for (long s = 0; s <= scale.xMax(); s += stepSeconds) {
            double x = scale.x(s);
            svg.append(format("<line class=\"axis\" x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\"/>"
                    + "<text class=\"tick\" x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>%n", x, bottom, x,
                    bottom + 4, x, bottom + 18, clock(s)));
        }
        svg.append(format("<text class=\"unit\" x=\"%d\" y=\"%d\" text-anchor=\"end\">time since the start</text>%n",
                LEFT + PLOT_WIDTH, HEIGHT - 2));
    }

    /** The line's runs of present values, each as a polyline (a lone value as a dot). */
    private static void line(StringBuilder svg, Scale scale, Line line, String colour) {
        List<String> run = new ArrayList<>();
        for (int i = 0; i <= line.ys().length; i++) {
            if (i < line.ys().length && Double.isFinite(line.ys()[i])) {
                run.add(format("%.1f,%.1f", scale.x(line.xs()[i]), scale.y(line.ys()[i])));
                continue;
            }
            if (run.size() == 1) {
                String[] xy = run.get(0).split(",");
                svg.append(format("<circle cx=\"%s\" cy=\"%s\" r=\"2.5\" fill=\"%s\"/>%n", xy[0], xy[1], colour));
            } else if (run.size() > 1) {
                svg.append(format("<polyline class=\"line\" stroke=\"%s\" points=\"%s\"/>%n", colour,
                        String.join(" ", run)));
            }
            run.clear();
        }
    }

    private static void legend(StringBuilder svg, List<Line> lines) {
        int x = LEFT;
        for (int i = 0; i < lines.size(); i++) {
            String name = lines.get(i).name();
            svg.append(format("<rect x=\"%d\" y=\"24\" width=\"12\" height=\"4\" fill=\"%s\"/>"
                    + "<text class=\"legend\" x=\"%d\" y=\"30\">%s</text>%n", x, COLOURS[i % COLOURS.length],
                    x + 16, escape(name)));
            x += 16 + LEGEND_CHAR_WIDTH * name.length() + 16;
        }
    }

    /** 1, 2 or 5 times a power of ten, at least {@code raw}. */
    static double roundStep(double raw) {
        double power = Math.pow(10, Math.floor(Math.log10(raw)));
        double mantissa = raw / power;
        return power * (mantissa <= 1 ? 1 : mantissa <= 2 ? 2 : mantissa <= 5 ? 5 : 10);
    }

    /** A step of whole seconds that reads well on a clock, at least {@code raw}. */
    static long roundSeconds(double raw) {
        for (long seconds : ROUND_SECONDS) {
            if (seconds >= raw) {
                return seconds;
            }
        }
        return (long) roundStep(raw / 3600) * 3600;
    }

    /** Seconds as m:ss, or h:mm:ss from an hour on. */
    static String clock(long seconds) {
        long h = seconds / 3600;
        long m = seconds / 60 % 60;
        long s = seconds % 60;
        return h > 0 ? format("%d:%02d:%02d", h, m, s) : format("%d:%02d", m, s);
    }

    static String escape(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (char c : text.toCharArray()) {
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }

    private static String format(String pattern, Object... args) {
        return String.format(Locale.ROOT, pattern, args);
    }
}
