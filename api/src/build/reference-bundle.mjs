// Puts Redoc's standalone bundle into the jar (target/classes/docs) for the /docs page. The
// bundle fetches one thing from outside: its attribution's logo, from Redocly's CDN. Here that
// URL becomes an empty data: URL (the image then fails and Redoc hides it; the attribution's
// link stays), so the page makes no request to another origin. A release where the URL is not
// found exactly once fails the build, to be looked at again.
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";

const from = "node_modules/redoc/bundles/";
const to = "target/classes/docs/";
const outside = "https://cdn.redoc.ly/redoc/logo-mini.svg";

const bundle = readFileSync(from + "redoc.standalone.js", "utf8");
const found = bundle.split(outside).length - 1;
if (found !== 1) {
  throw new Error(`expected ${outside} once in Redoc's bundle, found it ${found} times`);
}
mkdirSync(to, { recursive: true });
writeFileSync(to + "redoc.standalone.js", bundle.replace(outside, "data:,"));
copyFileSync(from + "redoc.standalone.js.LICENSE.txt", to + "redoc.standalone.js.LICENSE.txt");
