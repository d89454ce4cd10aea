package dev.coffer.api.fuzz;

import dev.coffer.api.fuzz.Contract.Operation;
import dev.coffer.api.fuzz.Contract.Parameter;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * Requests built from the contract and then spoiled: each starts as a valid call of an operation
 * (real ids, a live session, a body that fits its schema) so that it reaches deep into the service,
 * and one or more mutations then make it hostile.
 */
final class HostileRequests {

  /** A request to send; {@code raw}: over a plain socket, since the target holds raw bytes. */
  record Request(
      String operation,
      String method,
      String target,
      Map<String, String> headers,
      byte[] body,
      boolean raw,
      List<String> mutations) {
    @Override
    public String toString() {
      String shownBody =
          body == null
              ? "(none)"
              : body.length > 300
                  ? body.length
                      + " bytes starting "
                      + new String(body, 0, 120, StandardCharsets.ISO_8859_1)
                  : new String(body, StandardCharsets.ISO_8859_1);
      String shownTarget = target.length() > 300 ? target.substring(0, 300) + "…" : target;
      return operation
          + " "
          + mutations
          + "\n    "
          + method
          + " "
          + shownTarget
          + "\n    headers "
          + headers.toString().substring(0, Math.min(600, headers.toString().length()))
          + "\n    body "
          + shownBody;
    }
  }

  /** What the generator may put in a request: real ids and sessions of the fuzz run. */
  record World(
      List<String> ownAccounts,
      List<String> othersAccounts,
      List<String> transfers,
      String token,
      String otherToken,
      Supplier<String> throwAwayToken,
      String apiKey,
      List<String> apiKeyIds) {}

  private static final String[] ODD_METHODS = {
    "GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "HEAD", "XABC", "PROPFIND"
  };
  private static final String[] BAD_ESCAPES = {
    "%",
    "%%",
    "%%%",
    "%zz",
    "%G0",
    "%0",
    "%C3%28",
    "%FF",
    "%C0%AF",
    "%ED%A0%80",
    "%00",
    "%E2%82",
    "%F4%90%80%80",
    "%2F",
    "%2e%2e",
    "%25",
    "%u0041"
  };
  private static final String[] RAW_BAD_UTF8 = {
    "\u00ff", "\u00c3\u0028", "\u00e2\u0082", "\u00ed\u00a0\u0080", "\u00c0\u00af", "\u0080"
  };
  private static final String[] ODD_STRINGS = {
    "",
    " ",
    "\u0000",
    "a\u0000b",
    "\ud83d\ude00",
    "\u202e",
    "İ",
    "null",
    "true",
    "0",
    "-1",
    "<script>",
    "' OR 1=1 --",
    "../../etc/passwd",
    "%s%n",
    "\\u0000",
    "\r\nX-Injected: 1"
  };
  private static final long[] ODD_NUMBERS = {
    0,
    -1,
    1,
    2,
    Long.MAX_VALUE,
    Long.MIN_VALUE,
    Integer.MAX_VALUE,
    Integer.MIN_VALUE,
    1L << 53,
    (1L << 53) - 1,
    (1L << 53) + 1,
    1_000_000_000_000_000L,
    1_000_000_000_000_001L,
    -1_000_000_000_000_000L,
    604_800,
    604_801,
    200,
    201,
    100,
    101
  };
  private static final String[] ODD_NUMBER_TEXTS = {
    "1e2",
    "1.0",
    "1.5",
    "-0",
    "0x10",
    "+5",
    "1e308",
    "1e309",
    "-1e309",
    "NaN",
    "Infinity",
    "99999999999999999999999999999999",
    "0.0000000000000000000001",
    "1E400",
    "00",
    "01"
  };

  private final Contract contract;
  private final World world;

  HostileRequests(Contract contract, World world) {
    this.contract = contract;
    this.world = world;
  }

  Request next(Random random) {
    Operation op = contract.operations.get(random.nextInt(contract.operations.size()));
    List<String> mutations = new ArrayList<>();
    String method = op.method();
    Map<String, String> headers = new LinkedHashMap<>();
    boolean raw = false;

    // Logging out must never end the sessions the rest of the run relies on.
    String token =
        op.id().equals("deleteSession")
            ? world.throwAwayToken().get()
            : switch (random.nextInt(8)) {
              case 0 -> world.otherToken();
              // An API key of the same user, with some scopes and one account.
              case 1 -> world.apiKey();
              default -> world.token();
            };
    if (op.secured()) {
      headers.put("Authorization", "Bearer " + token);
    }

    String path = op.path();
    List<String> query = new ArrayList<>();
    for (Parameter p : op.parameters()) {
      switch (p.in()) {
        case "path" -> path = path.replace("{" + p.name() + "}", validId(random, op));
        case "query" -> {
          if (random.nextBoolean()) {
            query.add(p.name() + "=" + validQueryValue(p.name(), random));
          }
        }
        case "header" -> {
          if (p.name().equals("Idempotency-Key")) {
            headers.put(p.name(), "fuzz-" + UUID.randomUUID());
          } else if (p.name().equals("Consistency-Token") && random.nextBoolean()) {
            headers.put(p.name(), "0000000000000001");
          }
        }
        default -> throw new IllegalStateException(p.in());
      }
    }
    byte[] body = null;
    if (op.body() != null) {
      headers.put("Content-Type", "application/json");
      body = valid(op.body(), random, 0).toString().getBytes(StandardCharsets.UTF_8);
    }

    int count = 1 + (random.nextInt(4) == 0 ? random.nextInt(3) : 0);
    for (int i = 0; i < count; i++) {
      int kind = random.nextInt(op.body() != null ? 9 : 6);
      switch (kind) {
        case 0 -> {
          method = ODD_METHODS[random.nextInt(ODD_METHODS.length)];
          mutations.add("method " + method);
        }
        case 1 -> {
          String bad = badPathSegment(random);
          if (bad.chars().anyMatch(c -> c >= 0x80)) {
            raw = true;
          }
          path = spoilPath(path, bad, random);
          mutations.add("path segment " + bad);
        }
        case 2 -> {
          String q = badQuery(op, random);
          if (q.chars().anyMatch(c -> c >= 0x80)) {
            raw = true;
          }
          query.add(q);
          mutations.add("query " + q);
        }
        case 3, 4 -> mutations.add(spoilHeaders(headers, token, random));
        case 5 -> {
          body = bodyWithoutOne(random);
          if (random.nextBoolean()) {
            headers.put("Content-Type", "application/json");
          }
          mutations.add("unexpected body");
        }
        default -> {
          JsonObject value = (JsonObject) valid(op.body(), random, 0);
          String spoiled = spoilBody(op.body(), value, random, mutations);
          body = spoiled == null ? badBytes(value, random, mutations) : utf8(spoiled);
        }
      }
    }
    String target = query.isEmpty() ? path : path + "?" + String.join("&", query);
    return new Request(op.id(), method, target, headers, body, raw, mutations);
  }

  private String validId(Random random, Operation op) {
    List<String> pool =
        switch (random.nextInt(4)) {
          case 0 -> world.othersAccounts();
          case 1 -> List.of(UUID.randomUUID().toString());
          default ->
              op.path().startsWith("/v1/transfers")
                  ? world.transfers()
                  : op.path().startsWith("/v1/api-keys") ? world.apiKeyIds() : world.ownAccounts();
        };
    return pool.get(random.nextInt(pool.size()));
  }

  // ---- values that fit a schema

  private Object valid(JsonObject schema, Random random, int depth) {
    Object type = schema.getValue("type");
    String t = type instanceof JsonArray types ? types.getString(0) : (String) type;
    if (t == null) {
      return "x";
    }
    return switch (t) {
      case "object" -> {
        JsonObject object = new JsonObject();
        JsonObject properties = schema.getJsonObject("properties", new JsonObject());
        List<?> required = schema.getJsonArray("required", new JsonArray()).getList();
        for (String name : properties.fieldNames()) {
          if (required.contains(name) || random.nextInt(3) == 0) {
            object.put(name, validProperty(name, properties.getJsonObject(name), random, depth));
          }
        }
        yield object;
      }
      case "array" -> {
        JsonArray array = new JsonArray();
        int n = 1 + random.nextInt(3);
        for (int i = 0; i < n; i++) {
          array.add(valid(schema.getJsonObject("items"), random, depth + 1));
        }
        yield array;
      }
      case "integer" -> {
        long min = schema.getLong("minimum", 0L);
        long max = Math.min(schema.getLong("maximum", 1000L), min + 1000);
        yield min + (long) random.nextInt((int) (max - min + 1));
      }
      case "boolean" -> random.nextBoolean();
      default -> "fuzz";
    };
  }

  private Object validProperty(String name, JsonObject schema, Random random, int depth) {
    return switch (name) {
      case "accountId", "fromAccountId" -> pick(random, world.ownAccounts());
      case "toAccountId" ->
          random.nextBoolean()
              ? pick(random, world.othersAccounts())
              : pick(random, world.ownAccounts());
      case "currency" -> random.nextBoolean() ? "USD" : "EUR";
      case "email" -> "fuzz-" + UUID.randomUUID() + "@example.com";
      case "password" -> "pw-" + random.nextInt(1_000_000) + "-fuzzing";
      case "name", "description" -> "fuzz " + random.nextInt(1000);
      default -> valid(schema, random, depth);
    };
  }

  private static String pick(Random random, List<String> values) {
    return values.get(random.nextInt(values.size()));
  }

  // ---- spoiled bodies

  /** A spoiled JSON text, or null when the spoiling is at the byte level. */
  private String spoilBody(JsonObject schema, JsonObject value, Random random, List<String> log) {
    JsonObject target = value;
    JsonObject targetSchema = schema;
    // The batch holds its transfers one level down: spoil an item half of the time.
    if (value.getValue("transfers") instanceof JsonArray items && random.nextBoolean()) {
      target = items.getJsonObject(random.nextInt(items.size()));
      targetSchema =
          schema.getJsonObject("properties").getJsonObject("transfers").getJsonObject("items");
    }
    List<String> names = new ArrayList<>(targetSchema.getJsonObject("properties").fieldNames());
    String field = names.get(random.nextInt(names.size()));
    switch (random.nextInt(12)) {
      case 0 -> {
        target.remove(field);
        log.add("missing " + field);
      }
      case 1 -> {
        target.put("extra" + random.nextInt(3), oddValue(random));
        log.add("extra field");
      }
      case 2, 3 -> {
        Object wrong = oddValue(random);
        target.put(field, wrong);
        log.add("wrong type " + field);
      }
      case 4, 5 -> {
        target.put(field, ODD_NUMBERS[random.nextInt(ODD_NUMBERS.length)]);
        log.add("boundary number " + field);
      }
      case 6 -> {
        String text = ODD_NUMBER_TEXTS[random.nextInt(ODD_NUMBER_TEXTS.length)];
        log.add("number text " + field + "=" + text);
        target.put(field, "\u0001MARK\u0001");
        return value.encode().replace("\"\\u0001MARK\\u0001\"", text);
      }
      case 7 -> {
        String s = ODD_STRINGS[random.nextInt(ODD_STRINGS.length)];
        target.put(field, random.nextBoolean() ? s : s.repeat(1 + random.nextInt(600)));
        log.add("odd string " + field);
      }
      case 8 -> {
        log.add("lone surrogate / duplicate key " + field);
        return random.nextBoolean()
            ? value.encode().replaceFirst("\\{", "{\"" + field + "\":\"\\\\ud800\",")
            : value.encode().replaceFirst("\\{", "{\"" + field + "\":1,");
      }
      case 9 -> {
        int depth =
            random.nextBoolean() ? 50 + random.nextInt(200) : 5_000 + random.nextInt(30_000);
        log.add("nested " + depth);
        target.put(field, "\u0001MARK\u0001");
        return value.encode().replace("\"\\u0001MARK\\u0001\"", nested(depth, random));
      }
      case 10 -> {
        int size =
            random.nextBoolean()
                ? 64 * 1024 - 60 + random.nextInt(120)
                : 70_000 + random.nextInt(2_000_000);
        target.put(field, "a".repeat(size));
        log.add("huge " + size);
      }
      default -> {
        return null;
      }
    }
    return value.encode();
  }

  private static String nested(int depth, Random random) {
    boolean arrays = random.nextBoolean();
    StringBuilder text = new StringBuilder(depth * 6);
    for (int i = 0; i < depth; i++) {
      text.append(arrays ? "[" : "{\"a\":");
    }
    text.append(random.nextBoolean() ? "1" : "");
    for (int i = 0; i < depth; i++) {
      text.append(arrays ? "]" : "}");
    }
    return text.toString();
  }

  private static Object oddValue(Random random) {
    return switch (random.nextInt(7)) {
      case 0 -> new JsonObject().put("a", 1);
      case 1 -> new JsonArray().add(1).add("b");
      case 2 -> random.nextBoolean();
      case 3 -> ODD_NUMBERS[random.nextInt(ODD_NUMBERS.length)];
      case 4 -> random.nextDouble() * 1e6;
      case 5 -> ODD_STRINGS[random.nextInt(ODD_STRINGS.length)];
      default -> null;
    };
  }

  private static byte[] badBytes(JsonObject value, Random random, List<String> log) {
    byte[] good = value.encode().getBytes(StandardCharsets.UTF_8);
    switch (random.nextInt(7)) {
      case 0 -> {
        log.add("bad UTF-8 in a string");
        String marked = value.copy().put("zz", "\u0001").encode();
        // The invalid sequence sits inside a JSON string, where a lenient decoder would pass it.
        return splice(
            marked.getBytes(StandardCharsets.UTF_8),
            "\\u0001",
            new byte[] {(byte) 0xC3, 0x28, (byte) 0xFF});
      }
      case 1 -> {
        log.add("truncated");
        return java.util.Arrays.copyOf(good, random.nextInt(good.length));
      }
      case 2 -> {
        log.add("not JSON");
        return pick(
                random,
                List.of("", "null", "[]", "1", "\"s\"", "{", "}{", "{}{}", "{'a':1}", "\ufeff{}"))
            .getBytes(StandardCharsets.UTF_8);
      }
      case 3 -> {
        log.add("UTF-16 body");
        return value.encode().getBytes(StandardCharsets.UTF_16);
      }
      case 4 -> {
        log.add("trailing garbage");
        return (value.encode() + pick(random, List.of(" x", "}", ",", "\u0000", "{}")))
            .getBytes(StandardCharsets.UTF_8);
      }
      case 5 -> {
        log.add("random bytes");
        byte[] bytes = new byte[random.nextInt(200)];
        random.nextBytes(bytes);
        return bytes;
      }
      default -> {
        log.add("overlong UTF-8 NUL");
        String marked = value.copy().put("description", "\u0001").encode();
        return splice(
            marked.getBytes(StandardCharsets.UTF_8),
            "\\u0001",
            new byte[] {(byte) 0xC0, (byte) 0x80});
      }
    }
  }

  private static byte[] splice(byte[] text, String marker, byte[] replacement) {
    String s = new String(text, StandardCharsets.ISO_8859_1);
    int at = s.indexOf(marker);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(text, 0, at);
    out.write(replacement, 0, replacement.length);
    out.write(text, at + marker.length(), text.length - at - marker.length());
    return out.toByteArray();
  }

  private byte[] bodyWithoutOne(Random random) {
    return random.nextBoolean()
        ? utf8(
            new JsonObject()
                .put("accountId", pick(random, world.ownAccounts()))
                .put("amount", 5)
                .encode())
        : utf8("{}");
  }

  private static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  // ---- spoiled paths, queries and headers

  private static String badPathSegment(Random random) {
    return switch (random.nextInt(6)) {
      case 0, 1 -> BAD_ESCAPES[random.nextInt(BAD_ESCAPES.length)];
      case 2 -> RAW_BAD_UTF8[random.nextInt(RAW_BAD_UTF8.length)];
      case 3 -> "x".repeat(90 + random.nextInt(40));
      case 4 ->
          pick(random, List.of("..", ".", "", ";a=b", "a b", "%20", "~", "*", ":batch", "%3A"));
      default ->
          UUID.randomUUID().toString().toUpperCase()
              + BAD_ESCAPES[random.nextInt(BAD_ESCAPES.length)];
    };
  }

  private static String spoilPath(String path, String bad, Random random) {
    String[] segments = path.split("/", -1);
    int at = 1 + random.nextInt(segments.length - 1);
    switch (random.nextInt(3)) {
      case 0 -> segments[at] = bad;
      case 1 -> segments[at] = segments[at] + bad;
      default -> {
        return path + "/" + bad;
      }
    }
    return String.join("/", segments);
  }

  // A value each query parameter accepts: the time parameters (the exports' from and to, the
  // transfer list's, the balance's at) get RFC 3339 times in each spelling a client may send,
  // so that requests reach what is behind the parser.
  private static String validQueryValue(String name, Random random) {
    return switch (name) {
      case "limit" -> Integer.toString(1 + random.nextInt(200));
      case "from", "to", "at" -> pick(random, VALID_TIMES);
      default -> "x";
    };
  }

  private static final List<String> VALID_TIMES =
      List.of(
          "2026-11-01T00:00:00Z",
          "2026-12-07T10:00:00%2B05:30",
          "2026-12-07T10:00:00+05:30", // an unencoded '+' reads as a space
          "2026-12-07T10:00:00.123456-08:00",
          "2000-01-01T00:00:00.000Z",
          "0001-01-01T00:00:00Z",
          "9999-12-31T23:59:59.999999Z");

  // Times a parser may trip on: out of the database's range, impossible dates, leap seconds,
  // offsets out of range, lower-case separators, no offset, too many digits, a range given twice.
  private static final List<String> HOSTILE_TIMES =
      List.of(
          "0000-01-01T00:00:00Z",
          "%2B999999-01-01T00:00:00Z",
          "-000001-01-01T00:00:00Z",
          "9999-12-31T23:59:59.999999999-14:00",
          "2026-02-30T00:00:00Z",
          "2026-12-31T23:59:60Z",
          "2026-12-07T10:00:00%2B24:00",
          "2026-12-07t10:00:00z",
          "2026-12-07T10:00:00",
          "2026-12-07",
          "2026-12-07T10:00:00.1234567890123456789Z",
          "2026-12-07T10:00:00Z%00",
          "1e9",
          "now",
          "2026-12-07T10:00:00 05:30",
          "2026-12-07T10:00:00%2B05:30&from=2026-12-07T10:00:00Z");

  private static String badQuery(Operation op, Random random) {
    String name =
        op.parameters().stream()
            .filter(p -> p.in().equals("query"))
            .map(Parameter::name)
            .findAny()
            .orElse("q");
    List<String> times =
        op.parameters().stream()
            .filter(p -> p.in().equals("query"))
            .map(Parameter::name)
            .filter(n -> n.equals("from") || n.equals("to") || n.equals("at"))
            .toList();
    if (!times.isEmpty() && random.nextInt(3) == 0) {
      // A hostile time, or a range whose from is after (or equal to) its to.
      if (times.contains("from") && times.contains("to") && random.nextBoolean()) {
        String later = pick(random, VALID_TIMES);
        return "from=" + later + "&to=" + (random.nextBoolean() ? later : "2000-01-01T00:00:00Z");
      }
      return pick(random, times) + "=" + pick(random, HOSTILE_TIMES);
    }
    if (random.nextBoolean()) {
      name = random.nextBoolean() ? "limit" : "cursor";
    }
    return switch (random.nextInt(7)) {
      case 0 -> name + "=" + BAD_ESCAPES[random.nextInt(BAD_ESCAPES.length)];
      case 1 -> BAD_ESCAPES[random.nextInt(BAD_ESCAPES.length)] + "=1";
      case 2 -> name + "=" + RAW_BAD_UTF8[random.nextInt(RAW_BAD_UTF8.length)];
      case 3 -> name + "=" + ODD_NUMBER_TEXTS[random.nextInt(ODD_NUMBER_TEXTS.length)];
      case 4 -> "limit=" + ODD_NUMBERS[random.nextInt(ODD_NUMBERS.length)];
      case 5 -> name + "=" + "c".repeat(190 + random.nextInt(30)) + "&" + name + "=2";
      default ->
          pick(
              random,
              List.of(
                  name,
                  name + "=",
                  "=",
                  "&&",
                  "a=1&a=2",
                  "cursor=" + UUID.randomUUID(),
                  "cursor=eyJzZXEiOi0xfQ",
                  "cursor=AAAAAAAAAAAAAAAAAAAAAA",
                  "cursor=" + "%41".repeat(66)));
    };
  }

  private String spoilHeaders(Map<String, String> headers, String token, Random random) {
    switch (random.nextInt(12)) {
      case 0 -> {
        headers.remove("Authorization");
        return "no Authorization";
      }
      case 1 -> {
        String value =
            pick(
                random,
                List.of(
                    "Bearer",
                    "Bearer ",
                    "Bearer " + UUID.randomUUID(),
                    "Basic Zm9vOmJhcg==",
                    "bearer " + token,
                    "Bearer " + token + " " + token,
                    "Bearer \u00ff\u00fe",
                    "Bearer " + "t".repeat(5000),
                    "Bearer " + token + "%00"));
        headers.put("Authorization", value);
        return "Authorization " + value.substring(0, Math.min(40, value.length()));
      }
      case 2 -> {
        if (headers.containsKey("Idempotency-Key") && random.nextBoolean()) {
          headers.remove("Idempotency-Key");
          return "no Idempotency-Key";
        }
        String key =
            pick(
                random,
                List.of(
                    "",
                    " ",
                    "a b",
                    "\u00e9t\u00e9",
                    "k".repeat(255),
                    "k".repeat(256),
                    "\u007f",
                    "fixed-fuzz-key"));
        headers.put("Idempotency-Key", key);
        return "Idempotency-Key " + key.substring(0, Math.min(20, key.length()));
      }
      case 3 -> {
        String position =
            pick(
                random,
                List.of(
                    "",
                    "zz",
                    "ffffffffffffffff",
                    "0000000000000000",
                    "FFFFFFFFFFFFFFFF",
                    "00000000000000001",
                    "-000000000000001",
                    "\u00ff".repeat(16)));
        headers.put("Consistency-Token", position);
        return "Consistency-Token " + position;
      }
      case 4 -> {
        String type =
            pick(
                random,
                List.of(
                    "text/plain",
                    "application/xml",
                    "application/json; charset=latin1",
                    "application/json; charset=utf-16",
                    "application/JSON;charset=UTF-8",
                    "application/json;;;",
                    "multipart/form-data; boundary=x",
                    "application/x-www-form-urlencoded",
                    "*/*",
                    "",
                    "application/json, text/plain",
                    "application/problem+json",
                    "application/json; boundary=\u00ff"));
        headers.put("Content-Type", type);
        return "Content-Type " + type;
      }
      case 5 -> {
        String encoding =
            pick(random, List.of("gzip", "deflate", "br", "identity", "x-unknown", "gzip, gzip"));
        headers.put("Content-Encoding", encoding);
        return "Content-Encoding " + encoding;
      }
      case 6 -> {
        headers.put(
            "Accept",
            pick(random, List.of("text/html", "application/xml", "*/*;q=0", "garbage/", "")));
        headers.put("Accept-Encoding", pick(random, List.of("gzip", "br;q=1.5", "*", "\u00ff")));
        return "Accept";
      }
      case 7 -> {
        headers.put(
            "X-Forwarded-For",
            pick(random, List.of("1.2.3.4", "garbage", "::1, 10.0.0.1", "999.1.1.1", "")));
        headers.put("X-Request-Id", pick(random, List.of("r".repeat(3000), "\u00ff", "", "a\tb")));
        return "forwarding / request id";
      }
      case 8 -> {
        for (int i = 0; i < 40; i++) {
          headers.put("X-Fuzz-" + i, "v".repeat(random.nextInt(150)));
        }
        return "many headers";
      }
      case 9 -> {
        headers.put("Range", "bytes=0-1");
        headers.put("If-None-Match", "*");
        headers.put("If-Modified-Since", "garbage");
        return "conditional headers";
      }
      case 10 -> {
        headers.put("Origin", pick(random, List.of("https://evil.example", "null", "\u00ff")));
        headers.put("Access-Control-Request-Method", "DELETE");
        return "CORS";
      }
      default -> {
        headers.put("Idempotency-Key", "fixed-fuzz-key");
        return "reused Idempotency-Key";
      }
    }
  }
}
