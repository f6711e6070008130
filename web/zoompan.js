// Synchronized zoom and pan over several viewports: one shared transform (scale, then translate, in CSS pixels
// of the viewport) applied to the <img> of every viewport, so the same image pixel sits under the same point in
// all panels. Results of one request share their size, so one transform fits all.
"use strict";

class ZoomPan {
    constructor(viewports, onChange) {
        this.viewports = viewports;
        this.onChange = onChange || (() => {});
        this.scale = 1;
        this.tx = 0;
        this.ty = 0;
        this.imageWidth = 0;
        this.imageHeight = 0;
        for (const viewport of viewports) this.attach(viewport);
    }

    attach(viewport) {
        viewport.addEventListener("wheel", (event) => {
            event.preventDefault();
            const rect = viewport.getBoundingClientRect();
            // deltaY of one wheel notch is about 100; each notch zooms by 1.25.
            const factor = Math.pow(1.25, -event.deltaY / 100);
            this.zoomAround(event.clientX - rect.left, event.clientY - rect.top, factor);
        }, { passive: false });
        let drag = null;
        viewport.addEventListener("pointerdown", (event) => {
            drag = { x: event.clientX, y: event.clientY, tx: this.tx, ty: this.ty };
            viewport.setPointerCapture(event.pointerId);
            viewport.classList.add("dragging");
        });
        viewport.addEventListener("pointermove", (event) => {
            if (!drag) return;
            this.tx = drag.tx + event.clientX - drag.x;
            this.ty = drag.ty + event.clientY - drag.y;
            this.apply();
        });
        const end = () => { drag = null; viewport.classList.remove("dragging"); };
        viewport.addEventListener("pointerup", end);
        viewport.addEventListener("pointercancel", end);
    }

    setImageSize(width, height) {
        const changed = width !== this.imageWidth || height !== this.imageHeight;
        this.imageWidth = width;
        this.imageHeight = height;
        if (changed) this.fit(); else this.apply();
    }

    // Keeps the image point under (x, y) fixed while scaling by factor.
    zoomAround(x, y, factor) {
        const scale = Math.min(64, Math.max(0.05, this.scale * factor));
        const k = scale / this.scale;
        this.tx = x - (x - this.tx) * k;
        this.ty = y - (y - this.ty) * k;
        this.scale = scale;
        this.apply();
    }

    // Sets an absolute zoom around the viewport centre.
    zoomTo(scale) {
        const viewport = this.viewports[0];
        this.zoomAround(viewport.clientWidth / 2, viewport.clientHeight / 2, scale / this.scale);
    }

    fit() {
        const viewport = this.viewports[0];
        if (!this.imageWidth || !viewport.clientWidth) return;
        this.scale = Math.min(viewport.clientWidth / this.imageWidth, viewport.clientHeight / this.imageHeight);
        this.tx = (viewport.clientWidth - this.imageWidth * this.scale) / 2;
        this.ty = (viewport.clientHeight - this.imageHeight * this.scale) / 2;
        this.apply();
    }

    apply() {
        const transform = `translate(${this.tx}px, ${this.ty}px) scale(${this.scale})`;
        for (const viewport of this.viewports) {
            for (const image of viewport.querySelectorAll("img")) image.style.transform = transform;
        }
        this.onChange(this);
    }
}

window.ZoomPan = ZoomPan;
