package dev.coffer.api.docs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.coffer.api.testing.ApiClient;
import dev.coffer.api.testing.ApiInstance;
import dev.coffer.api.testing.Reply;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * {@code /docs} in a real headless Chromium (Debian's, installed with apt when missing): the
 * contract renders, under the page's own policy, from this origin alone. Screenshot: {@code
 * api/target/api-reference.png} and {@code api-reference-transfer.png}.
 */
class ApiReferenceBrowserTest {
  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  private static final Path DRIVER = Path.of("/usr/bin/chromedriver");
  private static final ApiClient api = ApiInstance.shared().sharedClient();
  private static ChromeDriver browser;

  @BeforeAll
  static void start() throws Exception {
    assumeTrue(
        chromiumInstalled(),
        "Chromium cannot be installed here (apt-get install chromium chromium-driver failed): the browser test is skipped");
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    options.addArguments(
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--user-data-dir=" + Files.createTempDirectory("coffer-chromium"),
        "--window-size=1280,900");
    LoggingPreferences logs = new LoggingPreferences();
    logs.enable(LogType.BROWSER, Level.ALL);
    options.setCapability("goog:loggingPrefs", logs);
    browser =
        new ChromeDriver(
            new ChromeDriverService.Builder().usingDriverExecutable(DRIVER.toFile()).build(),
            options);
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
    File shot = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE);
    Path target = Path.of("target", name + ".png");
    Files.createDirectories(target.getParent());
    Files.copy(shot.toPath(), target, StandardCopyOption.REPLACE_EXISTING);
  }

  private static boolean chromiumInstalled() throws Exception {
    if (Files.isExecutable(CHROMIUM) && Files.isExecutable(DRIVER)) {
      return true;
    }
    Process install =
        new ProcessBuilder("apt-get", "install", "-y", "-q", "chromium", "chromium-driver")
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start();
    install.getOutputStream().close();
    if (!install.waitFor(10, TimeUnit.MINUTES)) {
      install.destroyForcibly();
      return false;
    }
    return Files.isExecutable(CHROMIUM) && Files.isExecutable(DRIVER);
  }
}
