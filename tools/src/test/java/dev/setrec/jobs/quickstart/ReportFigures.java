package dev.setrec.jobs.quickstart;

import com.google.gson.Gson;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import org.xml.sax.InputSource;

import javax.xml.parsers.DocumentBuilderFactory;
import java.io.StringReader;
import java.util.LinkedHashMap;
import java.util.Map;

/** A run report read back as a reader would: its markup parsed, the embedded figures and the summary table. */
public final class ReportFigures {
    private final Document document;
    private final JsonObject figures;

    private ReportFigures(Document document, JsonObject figures) {
        this.document = document;
        this.figures = figures;
    }

    /** Parses the report; fails if it is not well-formed or has no embedded figures. */
    public static ReportFigures parse(String html) throws Exception {
        Document document = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(new InputSource(new StringReader(html)));
        Element script = null;
        NodeList scripts = document.getElementsByTagName("script");
        for (int i = 0; i < scripts.getLength(); i++) {
            Element candidate = (Element) scripts.item(i);
            if (RunReport.FIGURES_ELEMENT_ID.equals(candidate.getAttribute("id"))) {
                script = candidate;
            }
        }
        if (script == null || !"application/json".equals(script.getAttribute("type"))) {
            throw new AssertionError("no <script type=\"application/json\" id=\"" + RunReport.FIGURES_ELEMENT_ID
                    + "\"> in the report");
        }
        return new ReportFigures(document, JsonParser.parseString(script.getTextContent()).getAsJsonObject());
    }

    public Document document() {
        return document;
    }

    /** The embedded figures: summary, samples, modelNames, startedMillis, endedMillis, data. */
    public JsonObject figures() {
        return figures;
    }

    /** The embedded summary, as the snapshot it was written from. */
    public LiveFigures.Snapshot summary() {
        return new Gson().fromJson(figures.get("summary"), LiveFigures.Snapshot.class);
    }

    /** The summary table's cells that carry a figure: its name (and key, as "name/key") to its exact value. */
    public Map<String, String> table() {
        Map<String, String> cells = new LinkedHashMap<>();
        NodeList all = document.getElementsByTagName("td");
        for (int i = 0; i < all.getLength(); i++) {
            Element cell = (Element) all.item(i);
            if (cell.hasAttribute("data-figure")) {
                String key = cell.hasAttribute("data-key") ? "/" + cell.getAttribute("data-key") : "";
                cells.put(cell.getAttribute("data-figure") + key, cell.getAttribute("data-value"));
            }
        }
        return cells;
    }
}
