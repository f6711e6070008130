// Blind pairwise study (Ma et al. 2019, section 4.5): the server picks an input, architecture and scale, places
// the real-weight and the binary result left or right at random and keeps the placement to itself; the page only
// shows two unlabeled images and sends the side the voter chose.
//
// Ballot rules (the server enforces them; the page only keeps an honest voter within them): a vote counts when both
// images were downloaded and at least min_view_seconds passed since, so the buttons stay disabled until then.
"use strict";

const $ = (id) => document.getElementById(id);
const buttons = ["vote-left", "vote-same", "vote-right"].map($);
let pair = null;
let votes = 0;

function enable(on) {
    for (const button of buttons) button.disabled = !on;
}

function loadImage(element, url) {
    return new Promise((resolve, reject) => {
        element.onload = resolve;
        element.onerror = () => reject(new Error(`could not load ${url}`));
        element.src = url;
    });
}

async function problem(response) {
    try { return (await response.json()).detail || response.statusText; } catch (_) { return response.statusText; }
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function next() {
    enable(false);
    pair = null;
    $("info").textContent = "Loading a pair…";
    document.querySelector(".pair").classList.add("loading");
    try {
        const response = await fetch("/study/next", { credentials: "same-origin" });
        if (response.status === 429) {
            // Too many new pairs from this address: wait as the server asks, then try again.
            const seconds = Number(response.headers.get("Retry-After")) || 5;
            $("info").textContent = `Busy; the next pair comes in ${seconds} s.`;
            await sleep(seconds * 1000);
            return next();
        }
        if (!response.ok) throw new Error(await problem(response));
        const candidate = await response.json();
        // Both images must be on screen before a vote counts: no voting on a half-loaded pair.
        await Promise.all([loadImage($("left"), candidate.left_url), loadImage($("right"), candidate.right_url)]);
        document.querySelector(".pair").classList.remove("loading");
        $("info").textContent = `Pair ${candidate.pair_id.slice(0, 8)} · ${candidate.arch} ×${candidate.scale}`;
        // The server counts a vote only min_view_seconds after the later image download; a small margin covers the
        // time between the download and the image being shown.
        await sleep((Number(candidate.min_view_seconds) || 0) * 1000 + 250);
        pair = candidate;
        document.body.dataset.pairId = candidate.pair_id;
        enable(true);
    } catch (error) {
        $("info").textContent = "";
        $("message").textContent = `Could not load a pair: ${error.message}`;
        $("message").className = "error";
    }
}

async function vote(choice) {
    if (!pair) return;
    enable(false);
    const response = await fetch("/study/vote", {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ pair_id: pair.pair_id, choice }),
    });
    if (response.ok) {
        votes += 1;
        $("count").textContent = String(votes);
        $("message").className = "muted";
        $("message").textContent = "Thank you, vote recorded.";
    } else {
        $("message").className = "error";
        $("message").textContent = `Vote refused: ${await problem(response)}`;
    }
    await next();
}

for (const button of buttons) button.addEventListener("click", () => vote(button.dataset.choice));
document.addEventListener("keydown", (event) => {
    const choice = { ArrowLeft: "left", ArrowDown: "same", ArrowRight: "right" }[event.key];
    if (choice && pair) {
        event.preventDefault();
        vote(choice);
    }
});
next();
