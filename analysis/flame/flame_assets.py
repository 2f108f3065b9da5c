"""The CSS and JavaScript embedded in every flame-graph SVG.

Both are constants: no profile data is ever spliced into them, so no frame name can
reach the script. The script reads everything it needs from the document itself:
the geometry from each frame's <rect>, the name and weight from its <title> (first
line the name, last line "N <count name>, P%..."), and the drawing constants from
data- attributes of <g id="frames">.

Behaviour (modelled on flamegraph.pl's viewer):
  - hover: the bottom line shows the frame's title; the <title> is the tooltip;
  - click a frame: zoom, so the frame fills the width; its ancestors stretch and
    fade, frames outside its subtree hide; "Reset Zoom" (or a click on "all") undoes;
  - search (the "Search" button, Ctrl-F or "/", or `?s=regex` in the URL): frames whose
    name matches the regex turn magenta and "Matched: P%" states the share of samples
    under matching frames, each sample counted once even where matches nest;
    "Reset Search" (the same button) clears it.
"""

CSS = """
svg { font-family: Verdana, sans-serif; font-size: 12px; }
#frames rect { rx: 2px; ry: 2px; }
#frames g { cursor: pointer; }
#frames g:hover rect { stroke: black; stroke-width: 0.5; }
#frames text { pointer-events: none; fill: black; }
#frames g.zoom-parent { opacity: 0.5; }
#frames g.hidden { display: none; }
.title { font-size: 17px; text-anchor: middle; }
.subtitle { fill: #505050; text-anchor: middle; }
.button { cursor: pointer; }
.button:hover { text-decoration: underline; }
#unzoom.off { opacity: 0; pointer-events: none; }
#matched { text-anchor: end; }
#search { text-anchor: end; }
"""

JS = r"""
"use strict";
var fg = {frames: [], total: 0, root: null, zoomed: null, term: null};

function fg_num(el, attr) { return parseFloat(el.getAttribute(attr)); }

function fg_init() {
    var box = document.getElementById("frames");
    fg.xpad = fg_num(box, "data-xpad");
    fg.span = fg_num(box, "data-span");
    fg.charw = fg_num(box, "data-charw");
    fg.inverted = box.getAttribute("data-inverted") === "1";
    fg.highlight = box.getAttribute("data-highlight");
    fg.details = document.getElementById("details").firstChild;
    fg.matched = document.getElementById("matched").firstChild;
    fg.unzoom = document.getElementById("unzoom");
    fg.searchbtn = document.getElementById("search");
    var groups = box.getElementsByTagName("g");
    for (var i = 0; i < groups.length; i++) {
        var g = groups[i];
        var title = g.getElementsByTagName("title")[0].textContent;
        var cut = title.lastIndexOf("\n");
        var rect = g.getElementsByTagName("rect")[0];
        var y = fg_num(rect, "y");
        var f = {
            g: g, rect: rect, text: g.getElementsByTagName("text")[0],
            name: title.substring(0, cut), info: title.replace(/\n/g, " "),
            samples: parseFloat(title.substring(cut + 1).replace(/,/g, "")),
            x: fg_num(rect, "x"), w: fg_num(rect, "width"),
            level: fg.inverted ? y : -y, fill: rect.getAttribute("fill"),
            root: g.getAttribute("class") === "root"
        };
        f.index = fg.frames.length;
        g.setAttribute("data-index", f.index);
        fg.frames.push(f);
        if (f.root) { fg.root = f; fg.total = f.samples; }
    }
    box.addEventListener("click", function (e) {
        var f = fg_frame_of(e.target);
        if (f === null) return;
        if (f.root) fg_unzoom(); else fg_zoom(f);
    });
    box.addEventListener("mouseover", function (e) {
        var f = fg_frame_of(e.target);
        if (f !== null) fg.details.nodeValue = f.info;
    });
    box.addEventListener("mouseout", function () { fg.details.nodeValue = " "; });
    fg.unzoom.addEventListener("click", function () { fg_unzoom(); });
    fg.searchbtn.addEventListener("click", function () { fg_search_prompt(); });
    window.addEventListener("keydown", function (e) {
        if ((e.ctrlKey && e.keyCode === 70) || e.key === "/") {
            e.preventDefault();
            fg_search_prompt();
        } else if (e.key === "Escape") {
            fg_reset_search();
        }
    });
    var params = new URLSearchParams(window.location.search);
    if (params.get("s")) fg_search(params.get("s"));
}

function fg_frame_of(el) {
    while (el && el.tagName !== "g") el = el.parentNode;
    if (!el || !el.hasAttribute("data-index")) return null;
    return fg.frames[parseInt(el.getAttribute("data-index"), 10)];
}

// The label that fits a box of width w: the whole name, a prefix and "..", or nothing.
function fg_label(name, w) {
    var chars = Math.floor((w - 6) / fg.charw);
    if (chars < 3) return "";
    if (name.length <= chars) return name;
    var cut = chars - 2;
    var code = name.charCodeAt(cut - 1);
    if (code >= 0xD800 && code <= 0xDBFF) cut -= 1;   // never split a surrogate pair
    return name.substring(0, cut) + "..";
}

function fg_place(f, x, w) {
    f.rect.setAttribute("x", x.toFixed(2));
    f.rect.setAttribute("width", w.toFixed(2));
    f.text.setAttribute("x", (x + 3).toFixed(2));
    f.text.textContent = fg_label(f.name, w);
}

function fg_zoom(target) {
    var fudge = 0.0001;
    var x0 = target.x, x1 = target.x + target.w;
    var ratio = fg.span / target.w;
    fg.zoomed = target;
    fg.unzoom.setAttribute("class", "button");
    for (var i = 0; i < fg.frames.length; i++) {
        var f = fg.frames[i];
        var cls = "";
        if (f.level < target.level) {
            if (f.x <= x0 + fudge && f.x + f.w + fudge >= x1) {
                cls = "zoom-parent";
                fg_place(f, fg.xpad, fg.span);
            } else {
                cls = "hidden";
            }
        } else if (f.x < x0 - fudge || f.x + fudge >= x1) {
            cls = "hidden";
        } else {
            fg_place(f, (f.x - x0) * ratio + fg.xpad, f.w * ratio);
        }
        if (f.root && cls === "zoom-parent") cls = "root zoom-parent";
        else if (f.root) cls = "root";
        f.g.setAttribute("class", cls);
    }
}

function fg_unzoom() {
    fg.zoomed = null;
    fg.unzoom.setAttribute("class", "button off");
    for (var i = 0; i < fg.frames.length; i++) {
        var f = fg.frames[i];
        f.g.setAttribute("class", f.root ? "root" : "");
        fg_place(f, f.x, f.w);
    }
}

function fg_search_prompt() {
    if (fg.term !== null) { fg_reset_search(); return; }
    var term = window.prompt("Search for a regular expression:", "");
    if (term) fg_search(term);
}

// Highlight frames whose name matches `term` (a regex); returns the matched share in %.
function fg_search(term) {
    var re;
    try { re = new RegExp(term); } catch (err) {
        fg.matched.nodeValue = "Bad regex: " + err.message;
        return null;
    }
    var hits = [];
    for (var i = 0; i < fg.frames.length; i++) {
        var f = fg.frames[i];
        if (!f.root && re.test(f.name)) {
            f.rect.setAttribute("fill", fg.highlight);
            hits.push(f);
        } else {
            f.rect.setAttribute("fill", f.fill);
        }
    }
    // Count each sample once: a match nested in another match adds nothing.
    hits.sort(function (a, b) { return a.x - b.x || b.w - a.w || a.level - b.level; });
    var counted = 0, end = -Infinity;
    for (var j = 0; j < hits.length; j++) {
        if (hits[j].x + 0.0001 >= end) {
            counted += hits[j].samples;
            end = hits[j].x + hits[j].w;
        }
    }
    var pct = fg.total > 0 ? 100 * counted / fg.total : 0;
    fg.term = term;
    fg.searchbtn.firstChild.nodeValue = "Reset Search";
    fg.matched.nodeValue = "Matched: " + pct.toFixed(2) + "% (" +
        hits.length + " frames)";
    return pct;
}

function fg_reset_search() {
    for (var i = 0; i < fg.frames.length; i++) {
        fg.frames[i].rect.setAttribute("fill", fg.frames[i].fill);
    }
    fg.term = null;
    fg.searchbtn.firstChild.nodeValue = "Search";
    fg.matched.nodeValue = " ";
}

window.addEventListener("load", fg_init);
"""
