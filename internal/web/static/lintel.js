// Lintel's small enhancements. Every page works without this file.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  // Move focus to the error summary of a refused form, so keyboard and
  // screen-reader users hear what went wrong.
  const alert = document.querySelector("[data-autofocus]");
  if (alert) alert.focus();
  // Ask before destructive actions (archive, revoke); plain forms still work.
  document.querySelectorAll("form[data-confirm]").forEach((f) => {
    f.addEventListener("submit", (e) => {
      if (!window.confirm(f.dataset.confirm)) e.preventDefault();
    });
  });
});
