package dev.coffer.helm;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonElement;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Every alert of the chart has a runbook entry in docs/operations.md (the anchor its annotation
 * links to) that names dashboard panels which exist, and the trace search to start from.
 */
class RunbookTest {
  private static final Pattern ITALIC = Pattern.compile("\\*([^*\\s][^*]*)\\*");

  @Test
  void everyAlertHasARunbookNamingRealPanelsAndATraceSearch() throws IOException {
    String operations = Files.readString(CofferChart.repoRoot().resolve("docs/operations.md"));
    List<String> panels = panelTitles();
    Map<String, Object> rule =
        CofferChart.render(CofferChart.productionValues()).custom("PrometheusRule");
    List<String> alerts = new ArrayList<>();
    for (Object group : CustomResources.list(CustomResources.map(rule.get("spec")).get("groups"))) {
      for (Object r : CustomResources.list(CustomResources.map(group).get("rules"))) {
        Map<String, Object> alert = CustomResources.map(r);
        if (alert.containsKey("alert")) {
          String name = (String) alert.get("alert");
          alerts.add(name);
          assertThat(CustomResources.map(alert.get("annotations")).get("runbook"))
              .isEqualTo("docs/operations.md#" + name.toLowerCase());
        }
      }
    }
    assertThat(alerts).isNotEmpty();
    for (String alert : alerts) {
      String section = section(operations, alert);
      List<String> named = new ArrayList<>();
      // Code spans may hold a `count(*)`: not emphasis.
      Matcher m = ITALIC.matcher(section.replaceAll("`[^`]*`", ""));
      while (m.find()) {
        named.add(m.group(1).replaceAll("\\s+", " "));
      }
      assertThat(named).as("panels named by the runbook of %s", alert).isNotEmpty();
      for (String panel : named) {
        assertThat(panels)
            .as("%s names the panel *%s*", alert, panel)
            .anySatisfy(title -> assertThat(title).startsWith(panel));
      }
      assertThat(section).as("runbook of %s", alert).contains("Traces");
    }
  }

  private static String section(String doc, String alert) {
    int start = doc.indexOf("\n### " + alert + "\n");
    assertThat(start).as("runbook entry for %s", alert).isNotNegative();
    int end = doc.indexOf("\n#", start + 1);
    return doc.substring(start, end < 0 ? doc.length() : end);
  }

  private static List<String> panelTitles() throws IOException {
    String json =
        Files.readString(CofferChart.repoRoot().resolve("docs/grafana/coffer-dashboard.json"));
    List<String> titles = new ArrayList<>();
    for (JsonElement panel :
        JsonParser.parseString(json).getAsJsonObject().getAsJsonArray("panels")) {
      titles.add(panel.getAsJsonObject().get("title").getAsString());
    }
    return titles;
  }
}
