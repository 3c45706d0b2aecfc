// Exemplar page: plain JavaScript, no external assets. Talks to the JSON API of the same server.
"use strict";
const $ = (id) => document.getElementById(id);
let INFO = null;

function headers() {
  const h = { "Content-Type": "application/json" };
  const t = $("token").value || sessionStorage.getItem("exemplarToken") || "";
  if (t) { h["Authorization"] = "Bearer " + t; }
  return h;
}
async function api(path, body) {
  const r = await fetch(path, body === undefined ? { headers: headers() }
    : { method: "POST", headers: headers(), body: JSON.stringify(body) });
  const ct = r.headers.get("Content-Type") || "";
  const data = ct.includes("json") ? await r.json() : await r.text();
  if (!r.ok) { throw new Error((data && data.error) || ("HTTP " + r.status)); }
  return data;
}
// images go through fetch so that the bearer token is sent; each <img> gets a blob URL
async function loadImage(img, url) {
  const r = await fetch(url, { headers: headers() });
  if (!r.ok) { throw new Error("image " + url + ": HTTP " + r.status); }
  const blob = await r.blob();
  await new Promise((ok, bad) => { img.onload = ok; img.onerror = bad; img.src = URL.createObjectURL(blob); });
}
function fmt(x) { return Math.abs(x) >= 1e-3 && Math.abs(x) < 1e4 ? x.toFixed(4) : x.toExponential(3); }

async function card(p, cls) {
  const d = document.createElement("div");
  d.className = "card " + cls;
  d.dataset.id = p.id;
  const img = document.createElement("img");
  img.alt = "training " + p.id;
  d.appendChild(img);
  const c = document.createElement("div");
  c.textContent = "#" + p.id + " label " + p.label + " " + fmt(p.score);
  d.appendChild(c);
  if (p.image) { await loadImage(img, p.image); }
  else { img.remove(); d.classList.add("text"); c.className = "snippet"; c.textContent = p.name + (p.label >= 0 ? " (label " + p.label + ")" : "") + " " + fmt(p.score); }
  return d;
}

function chart(sup, opp) {
  const svg = $("chart");
  while (svg.firstChild) { svg.removeChild(svg.firstChild); }
  const pts = sup.concat(opp.slice().reverse());
  const W = +svg.getAttribute("width"), H = +svg.getAttribute("height"), mid = H / 2;
  const max = Math.max(1e-300, ...pts.map((p) => Math.abs(p.score)));
  const bw = Math.max(4, Math.floor((W - 20) / Math.max(1, pts.length)) - 4);
  const NS = "http://www.w3.org/2000/svg";
  const axis = document.createElementNS(NS, "line");
  axis.setAttribute("x1", 0); axis.setAttribute("x2", W); axis.setAttribute("y1", mid); axis.setAttribute("y2", mid);
  axis.setAttribute("stroke", "#888"); svg.appendChild(axis);
  pts.forEach((p, i) => {
    const h = Math.abs(p.score) / max * (mid - 14);
    const r = document.createElementNS(NS, "rect");
    r.setAttribute("class", "bar");
    r.setAttribute("x", 10 + i * (bw + 4));
    r.setAttribute("y", p.score >= 0 ? mid - h : mid);
    r.setAttribute("width", bw);
    r.setAttribute("height", Math.max(1, h));
    r.setAttribute("fill", p.score >= 0 ? "#2e7d32" : "#c62828");
    const t = document.createElementNS(NS, "title");
    t.textContent = "#" + p.id + " (label " + p.label + "): " + p.score;
    r.appendChild(t);
    svg.appendChild(r);
    const lab = document.createElementNS(NS, "text");
    lab.setAttribute("x", 10 + i * (bw + 4) + bw / 2); lab.setAttribute("y", p.score >= 0 ? mid + 12 : mid - 4);
    lab.setAttribute("font-size", "10"); lab.setAttribute("text-anchor", "middle");
    lab.textContent = p.label; svg.appendChild(lab);
  });
}

async function show(ans) {
  $("answer").hidden = false;
  $("prediction").innerHTML = "";
  const pair = ans.user !== undefined;
  const reg = INFO.needsTarget;   // ntk: a regression; classes are not read
  const lines = [
    pair ? "user " + ans.user + ", item " + ans.item + ": predicted score <b>" + fmt(ans.outputs[0]) + "</b>"
      : reg ? "prediction f(x<sub>t</sub>) = <b>" + fmt(ans.outputs[0]) + "</b>"
        + (ans.target !== undefined ? ", target y<sub>t</sub> = " + fmt(ans.target) : "")
      : "predicted class: <b>" + ans.predictedClass + "</b>" + (ans.testLabel !== undefined ? " (true label " + ans.testLabel + ")" : ""),
    pair || reg ? "" : "explained class: " + ans.explainedClass,
    ans.exact ? "exact top-" + ans.k : "approximate top-" + ans.k + " (ANN)",
    ans.decompositionResidual !== undefined ? "decomposition residual " + fmt(ans.decompositionResidual) : "",
    "took " + ans.tookMs.toFixed(1) + " ms"];
  $("prediction").innerHTML = lines.filter((s) => s).join("<br>");
  const qi = $("queryImg");
  if (ans.testImage) { $("queryFig").hidden = false; await loadImage(qi, ans.testImage); $("queryCap").textContent = "test " + ans.testId; }
  else if (ans.trainingId !== undefined && INFO.hasImages) { $("queryFig").hidden = false; await loadImage(qi, "/v1/training/" + ans.trainingId + "/image.png"); }
  else { $("queryFig").hidden = true; }
  for (const [id, list, cls] of [["supporting", ans.supporting, "pos"], ["opposing", ans.opposing, "neg"]]) {
    const box = $(id);
    box.innerHTML = "";
    for (const p of list) { box.appendChild(await card(p, cls)); }
  }
  chart(ans.supporting, ans.opposing);
}

// ntk indexes explain the squared test loss 1/2 (f(x_t) - y_t)^2: a features or test-point query carries the
// real-valued target y_t from the "target" input (the index stores no targets for its shipped test points).
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
function target() {
  const s = $("target").value.trim();
  if (s === "") {
    throw new Error("this " + INFO.method + " index explains the squared loss 1/2 (f(x_t) - y_t)^2 of the query: enter its real-valued target y_t");
  }
  const v = Number(s);
  if (!NUMBER.test(s) || !Number.isFinite(v)) { throw new Error("target y_t '" + s + "' is not a finite number"); }
  return v;
}
function query() {
  const q = { k: +$("k").value || 8, direction: "both" };
  if ($("cls").value !== "") { q["class"] = +$("cls").value; }
  if (INFO && INFO.annAvailable) { q.approximate = $("approx").checked; }
  if (INFO && INFO.needsTarget) { q.target = target(); }
  return q;
}
// builds the query and runs it; a malformed query (a missing target, say) is shown like a refusal of the server
async function ask(build) {
  $("error").textContent = "";
  try { await show(await api("/v1/explain", build())); }
  catch (e) { $("error").textContent = e.message; throw e; }
}
async function explainTest() { await ask(() => { const q = query(); q.testId = +$("testId").value; return q; }); }
async function explainPair() { await ask(() => { const q = query(); delete q["class"]; q.user = +$("user").value; q.item = +$("item").value; return q; }); }
async function explainPasted() {
  await ask(() => {
    const vals = $("features").value.split(/[\s,;]+/).filter((s) => s.length).map(Number);
    const q = query(); q.features = vals; return q;
  });
}
function parseNpyRow(buf) {
  const b = new Uint8Array(buf);
  if (b[0] !== 0x93 || String.fromCharCode(...b.slice(1, 6)) !== "NUMPY") { throw new Error("not a .npy file"); }
  const hl = b[6] === 1 ? b[8] | (b[9] << 8) : new DataView(buf).getUint32(8, true);
  const start = b[6] === 1 ? 10 : 12;
  const header = new TextDecoder().decode(b.slice(start, start + hl));
  const descr = /'descr':\s*'([^']+)'/.exec(header)[1];
  const shape = /'shape':\s*\(([^)]*)\)/.exec(header)[1].split(",").filter((s) => s.trim()).map(Number);
  const width = shape[shape.length - 1];
  const dv = new DataView(buf, start + hl);
  const out = [];
  for (let j = 0; j < width; j++) {
    if (descr === "<f8") { out.push(dv.getFloat64(8 * j, true)); }
    else if (descr === "<f4") { out.push(dv.getFloat32(4 * j, true)); }
    else { throw new Error("dtype " + descr + " not supported (float32/float64)"); }
  }
  return out;
}

async function selfInfluence() {
  if (!INFO.hasSelfInfluence) { $("self").hidden = true; return; }
  const s = await api("/v1/self-influence?top=16");
  $("selfDef").textContent = s.definition;
  const box = $("selfList");
  box.innerHTML = "";
  for (const p of s.points) { box.appendChild(await card(p, "pos")); }
}

function selfcheck() {
  const imgs = (id) => Array.from($(id).querySelectorAll("img")).filter((i) => i.complete && i.naturalWidth > 0).length;
  const ids = (id) => Array.from($(id).querySelectorAll(".card")).map((d) => +d.dataset.id);
  const snippets = (id) => Array.from($(id).querySelectorAll(".card .snippet")).map((d) => d.textContent);
  $("selfcheck").textContent = JSON.stringify({
    supportingImages: imgs("supporting"), opposingImages: imgs("opposing"), selfInfluenceImages: imgs("selfList"),
    supportingIds: ids("supporting"), opposingIds: ids("opposing"), selfInfluenceIds: ids("selfList"),
    supportingSnippets: snippets("supporting"), opposingSnippets: snippets("opposing"),
    selfInfluenceSnippets: snippets("selfList"),
    chartBars: $("chart").querySelectorAll("rect.bar").length, queryImage: $("queryImg").naturalWidth > 0,
    error: $("error").textContent });
}

async function main() {
  $("token").value = sessionStorage.getItem("exemplarToken") || "";
  $("token").addEventListener("change", () => { sessionStorage.setItem("exemplarToken", $("token").value); init(); });
  $("explainTest").onclick = () => explainTest().catch(() => {});
  $("explainPasted").onclick = () => explainPasted().catch(() => {});
  $("explainPair").onclick = () => explainPair().catch(() => {});
  $("random").onclick = () => { $("testId").value = Math.floor(Math.random() * Math.max(1, INFO.testSize)); explainTest().catch(() => {}); };
  $("npy").onchange = async (ev) => {
    try { $("features").value = parseNpyRow(await ev.target.files[0].arrayBuffer()).join(", "); }
    catch (e) { $("error").textContent = e.message; }
  };
  await init();
}
async function init() {
  try {
    INFO = await api("/v1/info");
  } catch (e) { $("info").textContent = "cannot read the index: " + e.message; document.body.dataset.state = "error"; selfcheck(); return; }
  $("info").textContent = INFO.method + " index, " + INFO.size + " training points x " + INFO.dim + " features (" + INFO.precision + ")" + (INFO.annAvailable ? ", ANN on" : "");
  const sel = $("cls");
  sel.length = 1;
  for (let c = 0; c < INFO.classes; c++) { const o = document.createElement("option"); o.value = c; o.textContent = c; sel.appendChild(o); }
  $("annBox").hidden = !INFO.annAvailable; $("approx").checked = INFO.annAvailable;
  $("targetBox").hidden = !INFO.needsTarget; $("cls").parentElement.hidden = !!INFO.needsTarget;
  $("testId").max = Math.max(0, INFO.testSize - 1);
  if (INFO.testSize === 0) { $("explainTest").disabled = true; $("random").disabled = true; }
  const pair = INFO.queryShape === "pair";   // CF indexes: a (user, item) pair is the query
  $("pairBox").hidden = !pair; $("featuresBox").hidden = pair;
  if (pair) { $("user").max = INFO.numUsers - 1; $("item").max = INFO.numItems - 1; }
  const params = new URLSearchParams(location.search);
  if (params.has("target")) { $("target").value = params.get("target"); }
  try {
    await selfInfluence();
    if (params.has("test") && INFO.testSize > 0) { $("testId").value = +params.get("test"); await explainTest(); }
    else if (!pair && params.has("features")) {
      $("featuresBox").open = true; $("features").value = params.get("features"); await explainPasted();
    }
    else if (pair && params.has("user") && params.has("item")) {
      $("user").value = +params.get("user"); $("item").value = +params.get("item"); await explainPair();
    }
  } catch (e) { $("error").textContent = e.message; }
  selfcheck();
  document.body.dataset.state = "done";
}
main();
