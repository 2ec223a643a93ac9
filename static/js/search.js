// The public search page (/cari) as people use it, on top of htmx:
// - typing replaces the current history entry; a query the user paused on gets its own entry, so
//   Back goes to the previous settled query, with its text in the box and its results;
// - facet groups keep the open/closed state the user gave them when the results are replaced;
// - focus stays on the control the user acted on;
// - a failed request shows a message instead of failing silently.
(function () {
  "use strict";

  var SETTLED_MS = 1500; // a pause this long ends a typing run
  var lastTyped = 0;
  var groups = {}; // facet name -> open (true/false), as the user left it
  var focusKey = null;

  function searchForm() {
    return document.getElementById("cari-form");
  }

  function fromSearch(event) {
    var form = searchForm();
    var detail = event.detail || {};
    var config = detail.requestConfig || {};
    var candidates = [detail.elt, config.elt, config.target, detail.target, event.target];
    return !!form && candidates.some(function (element) {
      return element && element.nodeType === 1 && (element === form || form.contains(element));
    });
  }

  document.addEventListener("toggle", function (event) {
    var details = event.target;
    if (details.dataset && details.dataset.facet) {
      groups[details.dataset.facet] = details.open;
    }
  }, true);

  document.addEventListener("htmx:beforeHistoryUpdate", function (event) {
    if (!fromSearch(event)) return;
    var config = event.detail.requestConfig || {};
    var trigger = config.triggeringEvent;
    var now = Date.now();
    var path = event.detail.history.path;
    if (path && new URL(path, window.location.href).href === window.location.href) {
      event.detail.history.type = "replace"; // the same search again (the box lost focus): no new entry
    } else if (trigger && trigger.type === "input") {
      if (now - lastTyped < SETTLED_MS) {
        event.detail.history.type = "replace"; // still typing: update this entry
      }
      lastTyped = now;
    } else {
      lastTyped = 0;
    }
  });

  // The snapshot htmx keeps for Back must show the query of the page being left, not what is typed.
  document.addEventListener("htmx:beforeHistorySave", function () {
    var box = document.getElementById("q");
    if (box) {
      box.setAttribute("value", new URLSearchParams(window.location.search).get("q") || "");
    }
  });

  document.addEventListener("htmx:beforeSwap", function (event) {
    if (!fromSearch(event)) return;
    var active = document.activeElement;
    var results = document.getElementById("hasil");
    focusKey = null;
    if (active && results && results.contains(active)) {
      focusKey = active.id ? "#" + active.id : active.name ? [active.name, active.value] : null;
    }
  });

  document.addEventListener("htmx:afterSwap", function (event) {
    if (!fromSearch(event)) return;
    var error = document.getElementById("cari-galat");
    if (error) error.hidden = true;
    document.querySelectorAll("#hasil details[data-facet]").forEach(function (details) {
      if (Object.prototype.hasOwnProperty.call(groups, details.dataset.facet)) {
        details.open = groups[details.dataset.facet];
      }
    });
    var target = null;
    if (typeof focusKey === "string") {
      target = document.querySelector(focusKey);
    } else if (focusKey) {
      document.querySelectorAll("#hasil [name]").forEach(function (element) {
        if (!target && element.name === focusKey[0] && element.value === focusKey[1]) target = element;
      });
    }
    if (target) target.focus();
  });

  function showError(event) {
    if (!fromSearch(event)) return;
    var error = document.getElementById("cari-galat");
    if (error) error.hidden = false;
  }

  document.addEventListener("htmx:responseError", showError);
  document.addEventListener("htmx:sendError", showError);
})();
