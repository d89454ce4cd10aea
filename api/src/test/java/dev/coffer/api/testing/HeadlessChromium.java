package dev.coffer.api.testing;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;

/** Debian's Chromium, headless, for the browser tests: installed when missing, started alike. */
public final class HeadlessChromium {
  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  private static final Path DRIVER = Path.of("/usr/bin/chromedriver");

  private HeadlessChromium() {}

  /** Whether Chromium and its driver are here, installing them (as root, through apt) if not. */
  public static boolean available() throws Exception {
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

  /** A browser with a {@code width} x {@code height} window, its console log kept. */
  public static ChromeDriver start(int width, int height) throws Exception {
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
        "--window-size=" + width + "," + height);
    LoggingPreferences logs = new LoggingPreferences();
    logs.enable(LogType.BROWSER, Level.ALL);
    options.setCapability("goog:loggingPrefs", logs);
    return new ChromeDriver(
        new ChromeDriverService.Builder().usingDriverExecutable(DRIVER.toFile()).build(), options);
  }

  /** Saves what {@code browser} shows as target/{@code name}.png. */
  public static void screenshot(ChromeDriver browser, String name) throws Exception {
    File shot = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE);
    Path target = Path.of("target", name + ".png");
    Files.createDirectories(target.getParent());
    Files.copy(shot.toPath(), target, StandardCopyOption.REPLACE_EXISTING);
  }
}
