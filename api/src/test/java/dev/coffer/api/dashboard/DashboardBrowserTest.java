package dev.coffer.api.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.coffer.api.testing.ApiClient;
import dev.coffer.api.testing.ApiClient.Caller;
import dev.coffer.api.testing.ApiInstance;
import dev.coffer.api.testing.Reply;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The dashboard in a real headless Chromium (Debian's chromium and chromium-driver, installed with
 * apt when missing): log in on the page, move money through the API, and see the page show the new
 * balance without a reload. Screenshots go to {@code api/target/dashboard-*.png}.
 */
class DashboardBrowserTest {
  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  private static final Path DRIVER = Path.of("/usr/bin/chromedriver");
  private static ApiInstance coffer;
  private static ApiClient api;
  private static WebDriver browser;

  @BeforeAll
  static void start() throws Exception {
    assumeTrue(
        chromiumInstalled(),
        "Chromium cannot be installed here (apt-get install chromium chromium-driver failed): the browser test is skipped");
    coffer = ApiInstance.start(Map.of());
    api = coffer.client();
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    // A closed network: no background connections, no sandbox as root, a fresh profile.
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
        "--window-size=1280,800");
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
    if (api != null) {
      api.close();
      coffer.close();
    }
  }

  @Test
  void aDepositShowsUpOnTheOpenPageWithoutAReload() throws Exception {
    Caller alice = api.newCaller();
    String account = api.openAccount(alice, "EUR");
    api.deposit(alice, account, 1_000);

    browser.get("http://127.0.0.1:" + coffer.port() + "/dashboard");
    WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(15));
    wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("email")))
        .sendKeys(alice.email());
    browser.findElement(By.id("password")).sendKeys(alice.password());
    browser.findElement(By.id("login-button")).click();
    By balance = By.cssSelector("#card-" + account + " .balance");
    wait.until(ExpectedConditions.textToBe(balance, "10.00 EUR"));
    wait.until(ExpectedConditions.textToBe(By.id("state"), "live"));
    Object marker =
        ((org.openqa.selenium.JavascriptExecutor) browser)
            .executeScript("return window.coffer_marker = 'same page'");

    api.deposit(alice, account, 250);
    wait.until(ExpectedConditions.textToBe(balance, "12.50 EUR"));
    assertThat(browser.findElement(By.cssSelector("#card-" + account + " ul.entries li")).getText())
        .contains("#2 deposit")
        .contains("+2.50 EUR");
    // Same document: the marker set before the deposit is still there, so nothing reloaded.
    assertThat(
            ((org.openqa.selenium.JavascriptExecutor) browser)
                .executeScript("return window.coffer_marker"))
        .isEqualTo(marker);
    screenshot("desktop");

    browser.manage().window().setSize(new Dimension(390, 844));
    Thread.sleep(300);
    screenshot("phone");
  }

  @Test
  void thePolicyLetsOnlyThePagesOwnScriptAndStyleRunAndConnectOnlyToItsOrigin() {
    // Issue 27, finding 9: it allowed any inline script and WebSockets to any host.
    Reply page = api.get("/dashboard", null);
    assertThat(page.status()).isEqualTo(200);
    String policy = page.header("Content-Security-Policy");
    assertThat(policy)
        .doesNotContain("unsafe-inline")
        .doesNotContain(" ws:")
        .doesNotContain(" wss:")
        .contains("connect-src 'self';")
        .containsPattern("script-src 'sha256-[A-Za-z0-9+/]{43}='");
    // The page itself runs under it: aDepositShowsUpOnTheOpenPageWithoutAReload logs in and
    // follows the stream in the same browser.
  }

  private static void screenshot(String name) throws Exception {
    File shot = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE);
    Path target = Path.of("target", "dashboard-" + name + ".png");
    Files.createDirectories(target.getParent());
    Files.copy(shot.toPath(), target, StandardCopyOption.REPLACE_EXISTING);
  }

  // Installs Debian's chromium and its driver when missing (as root, through apt).
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
