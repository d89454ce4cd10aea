package dev.coffer.api.docs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.coffer.api.testing.ApiClient;
import dev.coffer.api.testing.ApiInstance;
import dev.coffer.api.testing.HeadlessChromium;
import dev.coffer.api.testing.Reply;
import java.time.Duration;
import java.util.List;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * {@code /docs} in a real headless Chromium (Debian's, installed with apt when missing): the
 * contract renders, under the page's own policy, from this origin alone. Screenshot: {@code
 * api/target/api-reference.png} and {@code api-reference-transfer.png}.
 */
class ApiReferenceBrowserTest {
  private static final ApiClient api = ApiInstance.shared().sharedClient();
  private static ChromeDriver browser;

  @BeforeAll
  static void start() throws Exception {
    assumeTrue(
        HeadlessChromium.available(),
        "Chromium cannot be installed here (apt-get install chromium chromium-driver failed): the browser test is skipped");
    browser = HeadlessChromium.start(1280, 900);
  }

  @AfterAll
  static void stop() {
    if (browser != null) {
      browser.quit();
    }
  }

  @Test
  void theReferenceRendersEveryOperationFromThisOriginAlone() throws Exception {
    String origin = "http://127.0.0.1:" + ApiInstance.shared().port();
    browser.get(origin + "/docs");
    WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(30));
    wait.until(
        ExpectedConditions.textToBePresentInElementLocated(By.tagName("h1"), "Coffer HTTP API"));
    // An operation's section, with its description and its request example.
    By transfer = By.id("tag/money/operation/createTransfer");
    wait.until(ExpectedConditions.presenceOfElementLocated(transfer));
    assertThat(browser.findElement(transfer).getText())
        .contains("Moves money from one of the caller's accounts")
        .contains("Idempotency-Key");
    screenshot("api-reference");
    ((JavascriptExecutor) browser)
        .executeScript("arguments[0].scrollIntoView()", browser.findElement(transfer));
    Thread.sleep(300);
    screenshot("api-reference-transfer");

    @SuppressWarnings("unchecked")
    List<String> fetched =
        (List<String>)
            ((JavascriptExecutor) browser)
                .executeScript("return performance.getEntriesByType('resource').map(e => e.name)");
    assertThat(fetched).isNotEmpty().allSatisfy(url -> assertThat(url).startsWith(origin + "/"));
    List<String> problems =
        browser.manage().logs().get(LogType.BROWSER).getAll().stream()
            .filter(e -> e.getLevel().intValue() >= Level.WARNING.intValue())
            .map(LogEntry::getMessage)
            .toList();
    assertThat(problems).as("console errors (a policy violation among them)").isEmpty();
  }

  @Test
  void thePageAllowsScriptsAndConnectionsToItsOriginOnly() {
    Reply page = api.get("/docs", null);
    assertThat(page.status()).isEqualTo(200);
    assertThat(page.header("Content-Type")).startsWith("text/html");
    assertThat(page.header("Content-Security-Policy"))
        .startsWith("default-src 'none';")
        .contains("script-src 'self';")
        .contains("connect-src 'self';")
        .contains("frame-ancestors 'none'");
    Reply script = api.get("/docs/redoc.standalone.js", null);
    assertThat(script.status()).isEqualTo(200);
    assertThat(script.header("Content-Type")).startsWith("text/javascript");
    assertThat(script.text()).doesNotContain("fonts.googleapis.com/css");
  }

  private static void screenshot(String name) throws Exception {
    HeadlessChromium.screenshot(browser, name);
  }
}
