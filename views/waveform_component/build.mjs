// Builds dist/waveform.js (the review page's waveform, views/waveform.py) and dist/label_loop.js
// (the label page's loop, views/label_loop.py), the ES modules handed to Streamlit: our code
// and wavesurfer.js with its regions plugin, minified, with wavesurfer's BSD licence on top
// (its terms ask for the notice in every copy). `npm ci && npm run build`; .ci/run checks that
// the committed bundle is what this builds.
import { readFileSync } from "node:fs";
import { build } from "esbuild";

const licence = readFileSync(new URL("./node_modules/wavesurfer.js/LICENSE", import.meta.url), "utf8");
const version = JSON.parse(readFileSync(new URL("./node_modules/wavesurfer.js/package.json", import.meta.url), "utf8")).version;

const common = {
  bundle: true,
  format: "esm",
  minify: true,
  target: "es2020",
  legalComments: "none",
  banner: { js: `/*\nwavesurfer.js ${version}\n${licence.trim().replaceAll("*/", "* /")}\n*/` },
  logLevel: "info",
};
await build({ ...common, entryPoints: ["src/index.js"], outfile: "dist/waveform.js" });
await build({ ...common, entryPoints: ["src/loop/index.js"], outfile: "dist/label_loop.js" });
