/* Balai's own behaviour on top of htmx: visible failures, inline validation that never resets a field,
   the KBLI combobox, and focus on an error summary. Every message comes from the page (translated on
   the server); without JavaScript the forms work as plain HTML. */
(function () {
  "use strict";

  function statusRegion() {
    return document.getElementById("request-status");
  }

  function say(text, action) {
    var region = statusRegion();
    if (!region) return;
    region.textContent = "";
    var message = document.createElement("p");
    message.className = "flash flash-error";
    message.textContent = text;
    if (action) {
      message.appendChild(document.createTextNode(" "));
      message.appendChild(action);
    }
    region.appendChild(message);
  }

  function clearStatus() {
    var region = statusRegion();
    if (region) region.textContent = "";
  }

  function fill(template, status) {
    return (template || "").replace("{status}", String(status));
  }

  /* The session ended: offer to log in again. A form is sent the ordinary way, so that the server
     carries what was typed through the login page (blueprints/errors/expired_session.py). */
  function sessionEnded(source) {
    var region = statusRegion();
    var form = source && source.closest ? source.closest("form") : null;
    var button = document.createElement("button");
    button.type = "button";
    button.className = "button";
    button.textContent = region.dataset.msgLogin;
    button.addEventListener("click", function () {
      if (form && (form.getAttribute("method") || "get").toLowerCase() === "post") {
        HTMLFormElement.prototype.submit.call(form);
      } else {
        var here = window.location.pathname + window.location.search;
        window.location.assign(region.dataset.loginUrl + "?next=" + encodeURIComponent(here));
      }
    });
    say(region.dataset.msgSession, button); /* announced, not focused: the officer may be typing */
  }

  document.addEventListener("htmx:responseError", function (event) {
    var region = statusRegion();
    if (!region) return;
    var status = event.detail.xhr.status;
    if (status === 401) return sessionEnded(event.detail.elt);
    if (status === 403) return say(region.dataset.msgForbidden);
    if (status === 429) return say(region.dataset.msgToomany);
    say(fill(status >= 500 ? region.dataset.msgServer : region.dataset.msgError, status));
  });

  document.addEventListener("htmx:sendError", function () {
    var region = statusRegion();
    if (region) say(region.dataset.msgNetwork);
  });
  document.addEventListener("htmx:timeout", function () {
    var region = statusRegion();
    if (region) say(region.dataset.msgNetwork);
  });

  document.addEventListener("htmx:afterRequest", function (event) {
    if (event.detail.successful) clearStatus();
  });

  /* Inline validation replaced only the message slot under a field: mirror it on the field. */
  function syncField(slot) {
    var input = document.getElementById(slot.dataset.field);
    if (!input) return;
    var invalid = slot.dataset.invalid === "true";
    var wrapper = input.closest(".field");
    if (wrapper) wrapper.classList.toggle("has-error", invalid);
    var described = (input.getAttribute("aria-describedby") || "").split(/\s+/).filter(function (id) {
      return id && id !== input.id + "-error";
    });
    if (invalid) {
      input.setAttribute("aria-invalid", "true");
      described.push(input.id + "-error");
    } else {
      input.removeAttribute("aria-invalid");
    }
    if (described.length) input.setAttribute("aria-describedby", described.join(" "));
    else input.removeAttribute("aria-describedby");
  }

  document.addEventListener("htmx:afterSettle", function (event) {
    var target = event.detail.elt;
    if (target && target.classList && target.classList.contains("field-message")) syncField(target);
    if (target && target.id && target.id.endsWith("-message")) {
      var fresh = document.getElementById(target.id);
      if (fresh) syncField(fresh);
    }
    if (submitted && submitted === event.detail.requestConfig.elt) {
      submitted = null;
      var summary = document.getElementById("form-errors");
      if (summary) summary.focus();
    }
  });

  /* A form sent by htmx and answered with errors: the summary takes the focus, as on a full page. */
  var submitted = null;
  document.addEventListener("htmx:beforeRequest", function (event) {
    if (event.detail.elt.tagName === "FORM") submitted = event.detail.elt;
  });

  /* The combobox (ARIA 1.2 pattern): a text field with a listbox of suggestions filled by htmx. */
  function setupCombobox(box) {
    var input = box.querySelector("[role=combobox]");
    var listbox = box.querySelector("[role=listbox]");
    var status = box.querySelector(".combobox-status");
    if (!input || !listbox || box.dataset.ready) return;
    box.dataset.ready = "1";
    var active = -1;

    function options() {
      return Array.prototype.slice.call(listbox.querySelectorAll("[role=option]"));
    }
    function open() {
      if (!options().length) return close();
      listbox.hidden = false;
      input.setAttribute("aria-expanded", "true");
    }
    function close() {
      listbox.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
      options().forEach(function (option) { option.setAttribute("aria-selected", "false"); });
    }
    function highlight(index) {
      var all = options();
      if (!all.length) return;
      active = (index + all.length) % all.length;
      all.forEach(function (option, i) { option.setAttribute("aria-selected", i === active ? "true" : "false"); });
      input.setAttribute("aria-activedescendant", all[active].id);
      all[active].scrollIntoView({ block: "nearest" });
    }
    function choose(option) {
      input.value = option.dataset.value;
      close();
      if (status) status.textContent = option.textContent.replace(/\s+/g, " ").trim();
      input.dispatchEvent(new Event("change", { bubbles: true }));
    }

    input.addEventListener("keydown", function (event) {
      var expanded = !listbox.hidden;
      if (event.key === "ArrowDown") {
        event.preventDefault();
        open();
        highlight(active + 1);
      } else if (event.key === "ArrowUp") {
        event.preventDefault();
        open();
        highlight(active - 1);
      } else if (event.key === "Enter" && expanded && active >= 0) {
        event.preventDefault();
        choose(options()[active]);
      } else if (event.key === "Escape" && expanded) {
        event.preventDefault();
        close();
      }
    });
    input.addEventListener("blur", function () {
      window.setTimeout(close, 150);
    });
    listbox.addEventListener("mousedown", function (event) {
      event.preventDefault(); /* keep the focus in the field */
    });
    listbox.addEventListener("click", function (event) {
      var option = event.target.closest("[role=option]");
      if (option) choose(option);
    });
    listbox.addEventListener("htmx:afterSettle", function () {
      active = -1;
      var count = options().length;
      if (status) {
        status.textContent = count ? box.dataset.msgCount.replace("{n}", String(count)) : box.dataset.msgNone;
      }
      if (document.activeElement === input && count) open();
      else close();
    });
  }

  function setup(root) {
    var boxes = (root.querySelectorAll ? root : document).querySelectorAll("[data-combobox]");
    Array.prototype.forEach.call(boxes, setupCombobox);
  }

  document.addEventListener("DOMContentLoaded", function () {
    setup(document);
  });
  document.addEventListener("htmx:load", function (event) {
    setup(event.detail.elt.parentNode || document);
  });
})();
