/* Progressive enhancements shared by every page. Loaded with `defer` from _base.html (the
   CSP allows no inline script); every page works without it. */
(function () {
  "use strict";

  /* The main menu is a <details>: wide screens keep it open (CSS does this with
     ::details-content; this covers browsers without it), phones start with it closed. */
  var wide = window.matchMedia("(min-width: 48em)");
  function syncMenu() {
    document.querySelectorAll("details[data-nav-menu], details[data-wide-open]").forEach(function (menu) {
      menu.open = wide.matches;
    });
  }
  wide.addEventListener("change", syncMenu);
  /* Nav groups on a laptop: one open at a time; a click elsewhere or Escape closes them. */
  function closeGroups(except) {
    document.querySelectorAll("details[data-nav-group][open]").forEach(function (group) {
      if (group !== except) group.open = false;
    });
  }
  document.addEventListener("toggle", function (event) {
    var group = event.target;
    if (group.matches && group.matches("details[data-nav-group]") && group.open) closeGroups(group);
  }, true);
  document.addEventListener("click", function (event) {
    if (!event.target.closest("details[data-nav-group]")) closeGroups(null);
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape" || !wide.matches) return;
    var open = document.querySelector("details[data-nav-group][open]");
    if (open) {
      open.open = false;
      open.querySelector("summary").focus();
    }
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape" || wide.matches) return;
    var menu = document.querySelector("details[data-nav-menu][open]");
    if (menu) {
      menu.open = false;
      menu.querySelector("summary").focus();
    }
  });

  /* Tables: each sits in a .table-wrap that scrolls sideways on its own. A wrapper that
     actually scrolls becomes a named, focusable region so keyboard users can scroll it. */
  var WRAPS = ".table-wrap, .map-scroll, .score-table-wrap";
  function label(table) {
    var caption = table.querySelector("caption");
    if (caption && caption.textContent.trim()) return caption.textContent.trim().split(".")[0];
    var section = table.closest("section, article");
    var heading = section && section.querySelector("h1, h2, h3");
    return heading ? heading.textContent.trim() : "Table";
  }
  function fitScroller(wrap) {
    var table = wrap.querySelector("table");
    if (wrap.scrollWidth > wrap.clientWidth + 1) {
      wrap.setAttribute("tabindex", "0");
      wrap.setAttribute("role", "region");
      if (!wrap.hasAttribute("aria-label") && table) wrap.setAttribute("aria-label", label(table) + " (scrolls sideways)");
      wrap.classList.add("is-scrollable");
    } else if (wrap.classList.contains("is-scrollable")) {
      wrap.removeAttribute("tabindex");
      wrap.removeAttribute("role");
      wrap.classList.remove("is-scrollable");
    }
  }
  var observer = "ResizeObserver" in window ? new ResizeObserver(function (entries) {
    entries.forEach(function (entry) { fitScroller(entry.target); });
  }) : null;
  function wrapTables(root) {
    root.querySelectorAll("main table").forEach(function (table) {
      if (table.closest(WRAPS)) return;
      var wrap = document.createElement("div");
      wrap.className = "table-wrap";
      table.parentNode.insertBefore(wrap, table);
      wrap.appendChild(table);
    });
    root.querySelectorAll(WRAPS).forEach(function (wrap) {
      fitScroller(wrap);
      if (observer) observer.observe(wrap);
    });
  }

  /* Dialogs: <button data-dialog-open="id"> opens <dialog id="id"> as a modal;
     [data-dialog-close] and a click on the backdrop close it. */
  document.addEventListener("click", function (event) {
    var opener = event.target.closest("[data-dialog-open]");
    if (opener) {
      var dialog = document.getElementById(opener.getAttribute("data-dialog-open"));
      if (dialog && typeof dialog.showModal === "function") {
        event.preventDefault();
        dialog.showModal();
      }
      return;
    }
    var closer = event.target.closest("[data-dialog-close]");
    if (closer && closer.closest("dialog")) {
      closer.closest("dialog").close();
      return;
    }
    if (event.target.tagName === "DIALOG" && event.target.open) event.target.close();
  });

  function init(root) {
    wrapTables(root);
  }
  document.addEventListener("DOMContentLoaded", function () {
    syncMenu();
    init(document);
  });
  // Regions swapped in by htmx get the same treatment.
  document.addEventListener("htmx:load", function (event) { init(event.target.parentNode || document); });
})();
