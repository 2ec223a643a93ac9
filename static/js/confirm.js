/* Ask before a consequential act: a form with data-confirm-title opens a modal <dialog> naming the
   consequence; only "confirm" sends it, with the field the server checks (konfirmasi=1). Without this
   script the server answers the unconfirmed POST with a confirmation page instead. Works for plain and
   htmx forms alike: it runs in the capture phase, before htmx sees the submit. */
(function () {
  "use strict";
  var FIELD = "konfirmasi";
  var dialog = null;

  function build() {
    dialog = document.createElement("dialog");
    dialog.className = "confirm-dialog";
    dialog.setAttribute("aria-labelledby", "confirm-dialog-title");
    dialog.setAttribute("aria-describedby", "confirm-dialog-text");
    var form = document.createElement("form");
    form.method = "dialog";
    var title = document.createElement("h2");
    title.id = "confirm-dialog-title";
    var text = document.createElement("p");
    text.id = "confirm-dialog-text";
    var actions = document.createElement("div");
    actions.className = "actions";
    var cancel = document.createElement("button");
    cancel.value = "cancel";
    cancel.className = "button button-secondary";
    cancel.setAttribute("data-role", "cancel");
    var ok = document.createElement("button");
    ok.value = "confirm";
    ok.setAttribute("data-role", "confirm");
    actions.appendChild(cancel);
    actions.appendChild(ok);
    form.appendChild(title);
    form.appendChild(text);
    form.appendChild(actions);
    dialog.appendChild(form);
    document.body.appendChild(dialog);
  }

  function ask(form, submitter) {
    if (!dialog) build();
    var data = form.dataset;
    dialog.querySelector("#confirm-dialog-title").textContent = data.confirmTitle;
    dialog.querySelector("#confirm-dialog-text").textContent = data.confirmConsequence || "";
    var ok = dialog.querySelector("[data-role=confirm]");
    var cancel = dialog.querySelector("[data-role=cancel]");
    ok.textContent = data.confirmLabel;
    ok.className = data.confirmDanger === "0" ? "button" : "button button-danger";
    cancel.textContent = data.confirmCancel;
    dialog.returnValue = "";
    dialog.onclose = function () {
      if (dialog.returnValue !== "confirm") {
        if (submitter && submitter.focus) submitter.focus();
        return;
      }
      var flag = document.createElement("input");
      flag.type = "hidden";
      flag.name = FIELD;
      flag.value = "1";
      form.appendChild(flag);
      form.dataset.confirming = "1";
      try {
        if (form.requestSubmit) form.requestSubmit(submitter || undefined);
        else form.submit();
      } finally {
        delete form.dataset.confirming;
        flag.remove();
      }
    };
    dialog.showModal();
    cancel.focus();
  }

  document.addEventListener(
    "submit",
    function (event) {
      var form = event.target;
      if (!(form instanceof HTMLFormElement) || !form.dataset.confirmTitle) return;
      if (form.dataset.confirming === "1") return;
      // A required field left empty: let the server answer with its error summary first (it never acts
      // on an unconfirmed request); the question comes once there is something to confirm.
      if (!form.checkValidity()) return;
      event.preventDefault();
      event.stopImmediatePropagation();
      ask(form, event.submitter);
    },
    true
  );
})();
