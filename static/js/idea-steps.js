/* The new-idea form in steps. Without this script the form is one page of four fieldsets;
   with it, one fieldset shows at a time, "Next" checks the step's fields (required and
   minimum lengths, the same rules the server applies), and focus moves to the new step's
   legend so keyboard and screen-reader users know where they are. A step the server sent
   back with errors opens first. */
(function () {
  "use strict";
  var form = document.querySelector("form[data-idea-steps]");
  if (!form) return;
  var steps = Array.prototype.slice.call(form.querySelectorAll("[data-step]"));
  var nav = form.querySelector("[data-steps-nav]");
  var marks = nav ? Array.prototype.slice.call(nav.querySelectorAll("[data-step-mark]")) : [];
  var final = form.querySelector("[data-step-final]");
  var current = 0;

  form.classList.add("is-stepped");
  if (nav) nav.hidden = false;
  form.querySelectorAll("[data-step-buttons]").forEach(function (el) { el.hidden = false; });
  form.querySelectorAll("[data-no-js]").forEach(function (el) { el.hidden = true; });

  function show(index, focus) {
    current = index;
    steps.forEach(function (step, i) { step.hidden = i !== index; });
    marks.forEach(function (mark, i) {
      mark.className = i < index ? "is-done" : i === index ? "is-current" : "is-todo";
      if (i === index) mark.setAttribute("aria-current", "step");
      else mark.removeAttribute("aria-current");
    });
    if (final) final.hidden = index !== steps.length - 1;
    if (focus) steps[index].querySelector("legend").focus();
  }

  /* The first field of the step that fails the browser's checks (required, minlength,
     type), with its message shown on the field like the server's errors. */
  function firstInvalid(step) {
    var fields = step.querySelectorAll("input, textarea, select");
    for (var i = 0; i < fields.length; i++) {
      var field = fields[i];
      if (field.type === "hidden" || field.disabled) continue;
      var tooShort = field.minLength > 0 && field.value.trim().length > 0 &&
        field.value.trim().length < field.minLength;
      var missing = field.required && !field.value.trim();
      if (missing || tooShort || !field.checkValidity()) return field;
    }
    return null;
  }

  function label(field) {
    var el = form.querySelector('label[for="' + field.id + '"]');
    return el ? el.textContent.trim() : "This field";
  }

  function showError(field) {
    var box = field.closest(".field");
    if (!box) return;
    var id = field.id + "_error";
    var holder = document.getElementById(id);
    if (!holder) {
      holder = document.createElement("div");
      holder.id = id;
      field.parentNode.insertBefore(holder, field);
      var described = (field.getAttribute("aria-describedby") || "").split(" ");
      if (described.indexOf(id) < 0) described.push(id);
      field.setAttribute("aria-describedby", described.join(" ").trim());
    }
    var n = field.minLength > 0 ? field.minLength : 0;
    var text = !field.value.trim() ? label(field) + ": this is required." :
      n ? label(field) + ": at least " + n + " characters, so others understand it (now " + field.value.trim().length + ")." :
      field.validationMessage;
    holder.innerHTML = "";
    var p = document.createElement("p");
    p.className = "error";
    p.setAttribute("role", "alert");
    p.textContent = text;
    holder.appendChild(p);
    box.classList.add("has-error");
    field.setAttribute("aria-invalid", "true");
  }

  function clearErrors(step) {
    step.querySelectorAll("[aria-invalid]").forEach(function (field) {
      field.removeAttribute("aria-invalid");
      var holder = document.getElementById(field.id + "_error");
      if (holder) holder.innerHTML = "";
      var box = field.closest(".field");
      if (box) box.classList.remove("has-error");
    });
  }

  form.addEventListener("click", function (event) {
    var next = event.target.closest("[data-step-next]");
    var back = event.target.closest("[data-step-back]");
    if (next) {
      var step = steps[current];
      clearErrors(step);
      var bad = firstInvalid(step);
      if (bad) {
        showError(bad);
        bad.focus();
        return;
      }
      show(Math.min(current + 1, steps.length - 1), true);
    } else if (back) {
      show(Math.max(current - 1, 0), true);
    }
  });

  /* Live length guidance: "23 of at least 40 characters" under each field with a minimum. */
  form.querySelectorAll("[minlength]").forEach(function (field) {
    var hint = document.createElement("p");
    hint.className = "help idea-step__count";
    field.parentNode.appendChild(hint);
    function update() {
      var n = field.value.trim().length;
      hint.textContent = n + " of at least " + field.minLength + " characters" + (n >= field.minLength ? " ✓" : "");
    }
    field.addEventListener("input", update);
    update();
  });

  var withErrors = steps.findIndex(function (step) { return step.hasAttribute("data-step-errors"); });
  show(withErrors >= 0 ? withErrors : 0, withErrors >= 0);
})();
