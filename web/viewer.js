// The viewer page: choose an input (upload or bundled sample), upscale it with bicubic, the real-weight and the
// binary network through the service API, and compare the three results with shared zoom and pan.
"use strict";

const MODELS = ["bicubic", "real", "binary"];
// With API keys on, the upscaling endpoints need a key. The page has none of its own: the user pastes one, and it is
// kept in this tab's sessionStorage (gone when the tab closes, never in a cookie, never in a URL) and sent as a
// Bearer header to this origin only (docs/security.md).
const KEY_STORAGE = "binsr-api-key";
// Inputs above this many pixels go through the asynchronous jobs API (POST /v1/jobs, then polling), so that a long
// upscale is not cut by a proxy's timeout and the panel shows its progress. 1 MP: about a minute for a network at x4
// on 2 cores. The page parameter ?jobsAbovePixels=N changes it (0: always jobs).
const JOBS_ABOVE_PIXELS = (() => {
    const value = new URLSearchParams(location.search).get("jobsAbovePixels");
    return value !== null && /^\d+$/.test(value) ? Number(value) : 1000000;
})();
const JOB_POLL_MS = 500;
const state = { input: null, inputName: "", inputPixels: 0, modelSizes: [], urls: {} };
const $ = (id) => document.getElementById(id);
const panels = Object.fromEntries(MODELS.map((m) => [m, document.querySelector(`.panel[data-model="${m}"]`)]));
const swipeViewport = document.querySelector("#swipe .viewport");
const zoom = new ZoomPan([...MODELS.map((m) => panels[m].querySelector(".viewport")), swipeViewport], (z) => {
    $("zoomlabel").textContent = `${Math.round(z.scale * 100)} %`;
    if (!$("swipe").hidden) updateSwipe();
});

// Swipe view: the real result under the binary one, the binary one clipped to the right of the divider. Both use
// the shared transform, so the divider compares the same pixels of the two networks.
function updateSwipe() {
    const real = state.urls.real;
    const binary = state.urls.binary;
    if (!real || !binary) return;
    if (swipeViewport.dataset.real !== real || swipeViewport.dataset.binary !== binary) {
        const under = new Image();
        const over = new Image();
        under.src = real;
        over.src = binary;
        under.alt = "real-weight result";
        over.alt = "binary result";
        const divider = document.createElement("div");
        divider.className = "divider";
        swipeViewport.replaceChildren(under, over, divider);
        swipeViewport.dataset.real = real;
        swipeViewport.dataset.binary = binary;
        zoom.apply();
    }
    // The divider stays at its place in the viewport while zooming and panning; the clip, which is in the image's
    // own coordinates (it is transformed with it), follows the image column under the divider.
    const x = (swipeViewport.clientWidth * Number($("swipe-position").value)) / 100;
    const [, over, divider] = swipeViewport.children;
    const column = Math.min(zoom.imageWidth, Math.max(0, (x - zoom.tx) / zoom.scale));
    over.style.clipPath = `inset(0 0 0 ${column}px)`;
    divider.style.left = `${x}px`;
}

// "name;dur=12.3;desc=..., other;dur=4" (W3C Server Timing) -> [{name, dur, desc}]
function parseServerTiming(header) {
    if (!header) return [];
    return header.split(",").map((entry) => {
        const [name, ...params] = entry.trim().split(";");
        const metric = { name: name.trim() };
        for (const param of params) {
            const [key, value] = param.trim().split("=");
            if (key === "dur") metric.dur = parseFloat(value);
            if (key === "desc") metric.desc = (value || "").replace(/^"|"$/g, "");
        }
        return metric;
    }).filter((m) => m.name);
}

function formatBytes(bytes) {
    if (bytes === undefined || bytes === null || isNaN(bytes)) return "?";
    if (bytes < 1024) return `${bytes} B`;
    if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
    return `${(bytes / 1024 / 1024).toFixed(2)} MiB`;
}

// fetch() with the pasted API key, if any. A 401 shows the key form and becomes an error the caller reports.
async function api(url, options = {}) {
    const key = sessionStorage.getItem(KEY_STORAGE);
    const headers = new Headers(options.headers || {});
    if (key) headers.set("Authorization", `Bearer ${key}`);
    const response = await fetch(url, { ...options, headers });
    if (response.status === 401) {
        showKeyForm(key ? "The server refused this API key; paste a valid one." :
            "This server needs an API key for upscaling; paste yours.");
    }
    return response;
}

function showKeyForm(message) {
    $("apikey").hidden = false;
    $("apikey-message").textContent = message;
}

// A form, so Enter in the field works; submitting it only stores the key (no navigation).
$("apikey").addEventListener("submit", (event) => {
    event.preventDefault();
    const key = $("apikey-input").value.trim();
    if (!key) return;
    sessionStorage.setItem(KEY_STORAGE, key);
    $("apikey-input").value = "";
    $("apikey").hidden = true;
    $("status").textContent = "API key set for this tab.";
    loadModelSizes();
});
$("apikey-forget").addEventListener("click", () => {
    sessionStorage.removeItem(KEY_STORAGE);
    showKeyForm("Key forgotten.");
});

// GET /v1/models: a JSON list (or {models: [...]}) of entries naming architecture, scale, kind and size in bytes.
// Field names are read leniently so the page keeps working while the service's schema settles.
async function loadModelSizes() {
    try {
        const response = await api("/v1/models");
        if (!response.ok) return;
        const body = await response.json();
        const list = Array.isArray(body) ? body : (body.models || body.data || []);
        state.modelSizes = list.map((m) => ({
            arch: m.arch || m.architecture,
            scale: Number(m.scale),
            kind: m.model || m.kind || m.weights || m.variant,
            bytes: m.bytes ?? m.sizeBytes ?? m.size_bytes ?? m.fileBytes ?? m.size,
            id: m.id || m.name,
        }));
    } catch (error) {
        console.warn("GET /v1/models failed", error);
    }
}

function modelSize(arch, scale, kind) {
    const match = state.modelSizes.find((m) => m.arch === arch && m.scale === scale && m.kind === kind);
    return match ? match.bytes : undefined;
}

async function loadSamples() {
    const response = await fetch("/static/samples/samples.json");
    if (!response.ok) return;
    const samples = await response.json();
    for (const sample of samples) {
        const button = document.createElement("button");
        button.title = `${sample.name} (${sample.licence})`;
        button.dataset.sample = sample.name;
        button.innerHTML = `<img alt="${sample.name}" src="${sample.url}">`;
        button.addEventListener("click", async () => {
            const blob = await (await fetch(sample.url)).blob();
            $("file").value = "";
            setInput(blob, sample.name);
            document.querySelectorAll(".samples button").forEach((b) => b.classList.remove("selected"));
            button.classList.add("selected");
        });
        $("samples").appendChild(button);
    }
}

function setInput(blob, name) {
    state.input = blob;
    state.inputName = name;
    $("run").disabled = false;
    $("status").textContent = `Input: ${name} (${formatBytes(blob.size)}). Press Upscale.`;
}

function setStats(model, html) {
    panels[model].querySelector(".stats").innerHTML = html;
}

// The URL of one result: the networks through the service API, bicubic through the viewer's own route
// (MATLAB-style bicubic on the server; a canvas's "high quality" smoothing is not bicubic).
function upscaleURL(model, arch, scale) {
    if (model === "bicubic") return `/viewer/bicubic?scale=${scale}`;
    return `/upscale?scale=${scale}&model=${model}&arch=${arch}&format=png`;
}

// The problem document's detail of a failed response, else its status line.
async function problemDetail(response) {
    let detail = `${response.status} ${response.statusText}`;
    try { detail = (await response.json()).detail || detail; } catch (_) { /* not JSON */ }
    return detail;
}

// POSTs the raw image body; returns {blob, headers, roundTrip} or throws with the problem detail.
async function upscale(model, arch, scale) {
    if (model !== "bicubic" && state.inputPixels > JOBS_ABOVE_PIXELS) return upscaleAsJob(model, arch, scale);
    const started = performance.now();
    const response = await api(upscaleURL(model, arch, scale), {
        method: "POST",
        headers: { "Content-Type": state.input.type || "application/octet-stream" },
        body: state.input,
    });
    const roundTrip = performance.now() - started;
    if (!response.ok) throw new Error(await problemDetail(response));
    return { blob: await response.blob(), headers: response.headers, roundTrip };
}

// The same upscale as an asynchronous job: POST /v1/jobs, poll GET /v1/jobs/{id} (progress bar in the panel), then
// GET the result, whose headers are those of POST /upscale. The job is deleted once its image is here.
async function upscaleAsJob(model, arch, scale) {
    const started = performance.now();
    const submitted = await api(`/v1/jobs?scale=${scale}&model=${model}&arch=${arch}&format=png`, {
        method: "POST",
        headers: { "Content-Type": state.input.type || "application/octet-stream" },
        body: state.input,
    });
    if (submitted.status !== 202) throw new Error(await problemDetail(submitted));
    const location = submitted.headers.get("Location");
    let job = await submitted.json();
    panels[model].dataset.via = "job";
    while (job.state === "queued" || job.state === "running") {
        showProgress(model, job);
        await new Promise((resolve) => setTimeout(resolve, JOB_POLL_MS));
        const polled = await api(location);
        if (!polled.ok) throw new Error(await problemDetail(polled));
        job = await polled.json();
    }
    showProgress(model, job);
    if (job.state !== "done") throw new Error(job.error ? job.error.detail : `job ${job.state}`);
    const response = await api(job.result || `${location}/result`);
    if (!response.ok) throw new Error(await problemDetail(response));
    const blob = await response.blob();
    api(location, { method: "DELETE" }).catch(() => { /* it expires anyway */ });
    return { blob, headers: response.headers, roundTrip: performance.now() - started };
}

// A job's state in its panel: a progress bar with the fraction of tiles done, or its place in the queue.
function showProgress(model, job) {
    const viewport = panels[model].querySelector(".viewport");
    let box = viewport.querySelector(".job-progress");
    if (!box) {
        box = document.createElement("div");
        box.className = "placeholder job-progress";
        box.append(document.createElement("progress"), document.createElement("span"));
        viewport.replaceChildren(box);
    }
    const [bar, label] = box.children;
    bar.max = 1;
    bar.value = job.progress || 0;
    label.textContent = job.state === "queued"
        ? `queued${job.queuePosition !== undefined ? `, ${job.queuePosition} ahead` : ""}`
        : `${job.state} ${Math.round((job.progress || 0) * 100)} %`;
}

// Width x height of the input, read by the browser; 0 when it cannot decode it (the server will say why).
async function pixelCount(blob) {
    try {
        const bitmap = await createImageBitmap(blob);
        const pixels = bitmap.width * bitmap.height;
        bitmap.close();
        return pixels;
    } catch (_) {
        return 0;
    }
}

function showImage(model, blob) {
    const viewport = panels[model].querySelector(".viewport");
    if (state.urls[model]) URL.revokeObjectURL(state.urls[model]);
    state.urls[model] = URL.createObjectURL(blob);
    const image = new Image();
    image.alt = `${model} result`;
    image.draggable = false;
    return new Promise((resolve, reject) => {
        image.onload = () => {
            viewport.replaceChildren(image);
            zoom.setImageSize(image.naturalWidth, image.naturalHeight);
            resolve(image);
        };
        image.onerror = () => reject(new Error("the response is not a displayable image"));
        image.src = state.urls[model];
    });
}

// Header values are inserted as text, never as markup.
function escapeHTML(text) {
    return String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function describe(result, image, arch, scale, model) {
    const timings = parseServerTiming(result.headers.get("Server-Timing"));
    // The service reports its stages (queue, decode, inference, encode); their sum is its time for the request.
    const stages = timings.filter((t) => t.name !== "total" && t.dur !== undefined);
    const explicitTotal = timings.find((t) => t.name === "total" && t.dur !== undefined);
    const total = explicitTotal ? explicitTotal.dur : stages.reduce((sum, t) => sum + t.dur, 0);
    const parts = escapeHTML(stages.map((t) => `${t.name} ${t.dur.toFixed(1)}`).join(", "));
    const server = timings.length ? `<b>${total.toFixed(1)} ms</b> server` : "server time n/a";
    const input = escapeHTML(result.headers.get("X-Input-Size") || "");
    const bytes = model === "bicubic" ? 0 : modelSize(arch, scale, model);
    const modelName = escapeHTML(result.headers.get("X-Model") || model);
    const sizes = `${input ? `${input.replace("x", "×")} → ` : ""}${image.naturalWidth}×${image.naturalHeight}`;
    return `${sizes} · ${server}${parts ? ` (${parts})` : ""} · ${result.roundTrip.toFixed(0)} ms round trip<br>` +
        `model <b>${modelName}</b>${model === "bicubic" ? "" : ` · weights ${formatBytes(bytes)}`}` +
        ` · PNG ${formatBytes(result.blob.size)}`;
}

async function run() {
    const arch = $("arch").value;
    const scale = Number($("scale").value);
    $("run").disabled = true;
    state.inputPixels = await pixelCount(state.input);
    for (const model of MODELS) {
        panels[model].querySelector(".viewport").innerHTML = '<div class="placeholder">waiting…</div>';
        setStats(model, "");
        delete panels[model].dataset.via;
    }
    // One request at a time, so the server timings of one model are not inflated by the others.
    for (const model of MODELS) {
        $("status").textContent = `Upscaling ${state.inputName} ×${scale} with ${model}…`;
        panels[model].querySelector(".viewport").innerHTML = '<div class="placeholder">working…</div>';
        try {
            const result = await upscale(model, arch, scale);
            const image = await showImage(model, result.blob);
            setStats(model, describe(result, image, arch, scale, model));
            panels[model].dataset.done = "true";
        } catch (error) {
            panels[model].querySelector(".viewport").innerHTML = '<div class="placeholder">failed</div>';
            // textContent: the message may echo request data and must not be parsed as HTML.
            const message = document.createElement("span");
            message.className = "error";
            message.textContent = error.message;
            panels[model].querySelector(".stats").replaceChildren(message);
        }
    }
    $("status").textContent = `Done: ${state.inputName}, ${arch} ×${scale}.`;
    if (!$("swipe").hidden) updateSwipe();
    $("run").disabled = false;
}

$("file").addEventListener("change", () => {
    const file = $("file").files[0];
    if (file) setInput(file, file.name);
    document.querySelectorAll(".samples button").forEach((b) => b.classList.remove("selected"));
});
$("run").addEventListener("click", run);
$("swipe-on").addEventListener("change", () => {
    $("swipe").hidden = !$("swipe-on").checked;
    if (!$("swipe").hidden) updateSwipe();
});
$("swipe-position").addEventListener("input", updateSwipe);
$("fit").addEventListener("click", () => zoom.fit());
$("zoom1").addEventListener("click", () => zoom.zoomTo(1));
$("zoom4").addEventListener("click", () => zoom.zoomTo(4));
loadModelSizes();
loadSamples();
