// Builds dist/waveform.js, the one ES module views/waveform.py hands to Streamlit: our code
// and wavesurfer.js with its regions plugin, minified, with wavesurfer's BSD licence on top
// (its terms ask for the notice in every copy). `npm ci && npm run build`; .ci/run checks that
// the committed bundle is what this builds.
import { readFileSync } from "node:fs";
import { build } from "esbuild";

const licence = readFileSync(new URL("./node_modules/wavesurfer.js/LICENSE", import.meta.url), "utf8");
const version = JSON.parse(readFileSync(new URL("./node_modules/wavesurfer.js/package.json", import.meta.url), "utf8")).version;

await build({
  entryPoints: ["src/index.js"],
  bundle: true,
  format: "esm",
  minify: true,
  target: "es2020",
  legalComments: "none",
  banner: { js: `/*\nwavesurfer.js ${version}\n${licence.trim().replaceAll("*/", "* /")}\n*/` },
  outfile: "dist/waveform.js",
  logLevel: "info",
});
