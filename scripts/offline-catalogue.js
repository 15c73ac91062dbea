// Preloaded into node-red-dev (NODE_OPTIONS=--require=...) by scripts/scorecard.js: answers its
// requests for the Flow Library catalogue (a host this machine cannot reach) with the catalogue in
// SCORECARD_CATALOGUE (a JSON file; default: an empty catalogue). Every other request, notably to the
// npm registry for P06/P07/D02/D03, goes out unchanged. (Without it node-red-dev stops after P04
// with ENOTFOUND catalogue.nodered.org and writes no scorecard.)
"use strict";
const fs = require("node:fs");
const Module = require("node:module");

const CATALOGUE_HOST = "https://catalogue.nodered.org/";
const catalogue = process.env.SCORECARD_CATALOGUE ? JSON.parse(fs.readFileSync(process.env.SCORECARD_CATALOGUE, "utf8")) : { modules: [] };

const load = Module._load;
Module._load = function (request, parent, ...rest) {
  const mod = load.call(this, request, parent, ...rest);
  if (request === "axios" && /node-red-dev/.test(parent?.filename ?? "") && !mod.__slsCatalogueStub) {
    const realGet = mod.get.bind(mod);
    mod.get = (url, ...args) => (String(url).startsWith(CATALOGUE_HOST) ? Promise.resolve({ status: 200, data: catalogue }) : realGet(url, ...args));
    mod.__slsCatalogueStub = true;
  }
  return mod;
};
