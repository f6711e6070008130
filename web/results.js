// Renders GET /study/results.json and refreshes it every 5 s, so the table follows the votes as they arrive.
"use strict";

function cell(text, className) {
    const td = document.createElement("td");
    td.textContent = text;
    if (className) td.className = className;
    return td;
}

function estimateCell(estimate) {
    const td = cell(`${(estimate.share * 100).toFixed(1)}% `);
    const interval = document.createElement("span");
    interval.className = "ci";
    interval.textContent = `[${(estimate.lower * 100).toFixed(1)}, ${(estimate.upper * 100).toFixed(1)}]`;
    td.appendChild(interval);
    return td;
}

async function refresh() {
    const body = document.querySelector("#results tbody");
    try {
        const response = await fetch("/study/results.json", { cache: "no-store" });
        if (!response.ok) throw new Error(`${response.status} ${response.statusText}`);
        const data = await response.json();
        const rows = data.results.map((r) => {
            const tr = document.createElement("tr");
            tr.dataset.arch = r.arch;
            tr.dataset.scale = String(r.scale);
            tr.append(cell(r.arch), cell(`×${r.scale}`), cell(String(r.votes), "votes"), estimateCell(r.real),
                estimateCell(r.binary), estimateCell(r.same), estimateCell(r.binary_among_decisive));
            return tr;
        });
        if (rows.length === 0) {
            const tr = document.createElement("tr");
            const td = cell("No votes yet.", "muted");
            td.colSpan = 7;
            tr.appendChild(td);
            rows.push(tr);
        }
        body.replaceChildren(...rows);
        document.getElementById("updated").textContent =
            `Total votes: ${data.total_votes}. Updated ${new Date().toLocaleTimeString()}.`;
        const rules = data.rules || {};
        document.getElementById("min-view").textContent = String(rules.min_view_seconds ?? "?");
        document.getElementById("sessions-per-minute").textContent = String(rules.sessions_per_minute ?? "?");
        document.getElementById("pairs-per-minute").textContent = String(rules.pairs_per_minute ?? "?");
        const reasons = Object.entries(data.exclusions || {}).filter(([, n]) => n > 0)
            .map(([reason, n]) => `${reason.replaceAll("_", " ")}: ${n}`);
        document.getElementById("excluded").textContent =
            `Excluded votes: ${data.excluded_votes ?? 0}${reasons.length ? ` (${reasons.join(", ")})` : ""}.`;
    } catch (error) {
        document.getElementById("updated").textContent = `Could not load the results: ${error.message}`;
    }
}

refresh();
setInterval(refresh, 5000);
