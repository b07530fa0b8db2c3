// The roadmap map's side panel. Without JavaScript every node is a link to its topic page;
// with it, htmx loads the topic's panel into the map's <dialog> and this script opens it,
// keeps the focus inside it (Tab and Shift+Tab wrap), closes it with Escape or "Close", and
// gives the focus back to the node that opened it. A change made in the panel redraws the
// map from the page itself, since a status can move other topics of the plan.
document.addEventListener("DOMContentLoaded", () => {
  const dialog = document.getElementById("map-panel");
  const body = document.getElementById("map-panel-body");
  if (!dialog || !body || !window.htmx || typeof dialog.showModal !== "function") return;
  // A long plan scrolls sideways: bring last week and this week into view, beside the
  // sections' column.
  const wide = document.querySelector(".map__wide");
  const now = wide && wide.querySelector(".map__week.is-current");
  const lanes = wide && wide.querySelector("thead .map__lane-head");
  if (now && lanes) {
    const before = now.previousElementSibling;
    const from = before && before.classList.contains("map__week") ? before : now;
    wide.scrollLeft = Math.max(0, from.offsetLeft - lanes.offsetWidth);
  }

  let returnTo = null; // the id of the node to focus when the panel closes
  const writes = new WeakSet(); // the panel's POSTs, to redraw the map after each

  const focusable = () =>
    Array.from(
      dialog.querySelectorAll(
        "a[href], button:not([disabled]), textarea:not([disabled]), input:not([type=hidden]):not([disabled]), select:not([disabled])",
      ),
    ).filter((element) => element.getClientRects().length > 0);

  document.body.addEventListener("htmx:beforeRequest", (event) => {
    const element = event.detail.elt;
    if (element.matches && element.matches("[data-map-node]")) returnTo = element.id;
    if (dialog.contains(element) && event.detail.requestConfig.verb === "post") {
      writes.add(event.detail.xhr);
    }
  });

  document.body.addEventListener("htmx:afterSwap", (event) => {
    if (event.detail.target !== body) return;
    // "Done, next topic" shows another topic: closing returns to that one's node.
    const title = body.querySelector("[data-panel-topic]");
    const slug = title ? title.dataset.panelTopic : "";
    const prefix = returnTo && returnTo.startsWith("map-item-") ? "map-item-" : "map-node-";
    if (slug && document.getElementById(prefix + slug)) returnTo = prefix + slug;
    if (!dialog.open) dialog.showModal();
    (title || focusable()[0] || dialog).focus();
  });

  document.body.addEventListener("htmx:afterRequest", (event) => {
    if (!writes.has(event.detail.xhr) || !event.detail.successful) return;
    htmx
      .ajax("GET", window.location.pathname, {
        target: "#roadmap-map",
        select: "#roadmap-map",
        swap: "outerHTML",
      })
      .then(() => {
        // Closed while the map was redrawn: the focus was on a node that is gone.
        const node = returnTo && document.getElementById(returnTo);
        if (!dialog.open && node && !document.activeElement?.closest("main")) node.focus();
      });
  });

  dialog.addEventListener("click", (event) => {
    // "Close", or a click on the shade beside the panel (the dialog itself, not its content).
    if (event.target === dialog || event.target.closest("[data-map-close]")) dialog.close();
  });

  dialog.addEventListener("keydown", (event) => {
    if (event.key !== "Tab") return;
    const stops = focusable();
    if (!stops.length) return;
    const at = stops.indexOf(document.activeElement);
    const inside = dialog.contains(document.activeElement);
    if (event.shiftKey && (at === 0 || !inside || (at === -1 && inside))) {
      event.preventDefault();
      stops[stops.length - 1].focus();
    } else if (!event.shiftKey && (at === stops.length - 1 || !inside)) {
      event.preventDefault();
      stops[0].focus();
    }
  });

  dialog.addEventListener("close", () => {
    body.replaceChildren();
    const node = returnTo && document.getElementById(returnTo);
    if (node) node.focus();
  });
});
