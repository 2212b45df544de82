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

// Residents' maintenance: the report form (show the chosen place's
// categories and the chosen category's questions; photo previews; send with
// a progress bar) and the list's "Hide cancelled requests" switch. Without
// this script every category's questions show, the server keeps only the
// chosen one's answers, and the form posts normally.
(() => {
  const enhance = () => {
    document.querySelectorAll("form[data-autosubmit]").forEach((f) => {
      f.querySelectorAll("[data-autosubmit-button]").forEach((b) => { b.hidden = true; });
      f.querySelectorAll("input[type=checkbox]").forEach((c) => c.addEventListener("change", () => f.requestSubmit ? f.requestSubmit() : f.submit()));
    });
    const rf = document.querySelector("form.request-form");
    if (!rf) return;
    const place = rf.querySelector("select[name=place]");
    const groups = rf.querySelectorAll(".category-group");
    const sets = rf.querySelectorAll("fieldset[data-questions]");
    rf.querySelectorAll("[data-nojs-hint]").forEach((h) => { h.hidden = true; });
    const sync = () => {
      const opt = place && place.selectedOptions[0];
      const company = opt && opt.dataset.company;
      groups.forEach((g) => {
        const show = groups.length === 1 || !company || g.dataset.company === company;
        g.hidden = !show;
        if (!show) g.querySelectorAll("input").forEach((i) => { i.checked = false; });
      });
      const chosen = rf.querySelector("input[name=category_id]:checked");
      sets.forEach((fs) => {
        const on = !!chosen && fs.dataset.questions === chosen.value;
        fs.hidden = !on;
        fs.disabled = !on; // answers to other categories are not sent
      });
    };
    if (place) place.addEventListener("change", sync);
    rf.querySelectorAll("input[name=category_id]").forEach((i) => i.addEventListener("change", sync));
    sync();

    const any = rf.querySelector("input[name=access_any]");
    const grid = rf.querySelector(".access-grid");
    if (any && grid) {
      const syncAny = () => grid.classList.toggle("off", any.checked);
      any.addEventListener("change", syncAny);
      syncAny();
    }

    const files = rf.querySelector("input[type=file]");
    if (files) {
      const list = document.createElement("ul");
      list.className = "photo-previews";
      list.setAttribute("aria-live", "polite");
      files.after(list);
      files.addEventListener("change", () => {
        list.querySelectorAll("img").forEach((img) => URL.revokeObjectURL(img.src));
        list.replaceChildren();
        Array.from(files.files).forEach((file) => {
          const li = document.createElement("li");
          if (file.type.startsWith("image/")) {
            const img = document.createElement("img");
            img.src = URL.createObjectURL(file);
            img.alt = file.name;
            li.append(img);
          } else {
            li.textContent = file.name;
          }
          list.append(li);
        });
      });
    }

    // Send with XMLHttpRequest to show upload progress; the answer (the
    // request's page, or the form with messages) replaces this page.
    rf.addEventListener("submit", (e) => {
      if (!window.FormData || !window.DOMParser) return;
      e.preventDefault();
      const box = rf.querySelector(".upload-progress");
      const bar = box.querySelector("progress");
      const text = box.querySelector("[data-progress-text]");
      const button = rf.querySelector("button[type=submit]");
      const xhr = new XMLHttpRequest();
      xhr.open("POST", rf.action);
      box.hidden = false;
      button.disabled = true;
      bar.value = 0;
      // The page may give the words in its language (data-* on the box).
      const say = (key, english, value) => (box.dataset[key] || english).replace(/\{\w+\}/, value);
      text.textContent = say("starting", "Starting…");
      xhr.upload.addEventListener("progress", (ev) => {
        if (!ev.lengthComputable) return;
        const pct = Math.round((ev.loaded * 100) / ev.total);
        bar.value = pct;
        text.textContent = say("sent", "{pct} sent", pct + "%");
      });
      xhr.upload.addEventListener("load", () => {
        bar.value = 100;
        text.textContent = say("saving", "Sent. Saving your request…");
      });
      xhr.addEventListener("load", () => {
        const doc = new DOMParser().parseFromString(xhr.responseText, "text/html");
        if (!doc.body || !doc.querySelector("main")) {
          button.disabled = false;
          text.textContent = say("error", "Something went wrong ({status}). Please try again.", xhr.status);
          return;
        }
        document.title = doc.title;
        document.body.replaceWith(document.adoptNode(doc.body));
        if (xhr.responseURL && xhr.responseURL !== location.href && new URL(xhr.responseURL).origin === location.origin) {
          history.pushState(null, "", xhr.responseURL);
          window.addEventListener("popstate", () => location.reload(), { once: true });
        }
        window.scrollTo(0, 0);
        const alert = document.querySelector("[data-autofocus]");
        if (alert) alert.focus();
        enhance();
      });
      xhr.addEventListener("error", () => {
        button.disabled = false;
        text.textContent = say("failed", "The upload failed. Check your connection and try again.");
      });
      xhr.send(new FormData(rf));
    });
  };
  document.addEventListener("DOMContentLoaded", enhance);
})();

// Contractor's task page (/t/<token>): tell the server the operator opened
// it ("last opened" for the manager; the GET itself changes nothing, and
// mail scanners that fetch links run no script); send photos and the
// invoice with a progress bar, refusing a file over the limit before it is
// sent; show "Saved at" times in the phone's own time zone. Without this
// script every form posts normally.
(() => {
  const task = (again) => {
    const body = document.body;
    if (!body.classList.contains("area-task")) return;
    if (!again && body.dataset.taskOpened && window.fetch) {
      fetch(body.dataset.taskOpened, { method: "POST", credentials: "same-origin", keepalive: true }).catch(() => {});
    }
    document.querySelectorAll("time[data-local]").forEach((el) => {
      const d = new Date(el.getAttribute("datetime"));
      if (!isNaN(d)) el.textContent = d.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
    });
    // After a save, bring its confirmation into view (an upload sent by
    // script loses the #section of the redirect).
    const saved = document.querySelector(".task .saved[role=status]");
    if (saved && !location.hash) saved.closest("section").scrollIntoView();

    document.querySelectorAll(".area-task form[data-upload]").forEach((form) => {
      const bar = form.querySelector("progress.task-progress");
      const status = form.querySelector(".task-upload-status");
      const button = form.querySelector("button");
      form.addEventListener("submit", (e) => {
        if (!window.FormData || !bar) return;
        for (const input of form.querySelectorAll("input[type=file][data-max-bytes]")) {
          const limit = Number(input.dataset.maxBytes);
          for (const file of input.files) {
            if (limit && file.size > limit) {
              e.preventDefault();
              status.textContent = "“" + file.name + "” " + input.dataset.tooBig;
              status.classList.add("error");
              input.focus();
              return;
            }
          }
        }
        e.preventDefault();
        status.classList.remove("error");
        const xhr = new XMLHttpRequest();
        xhr.open("POST", form.action);
        bar.hidden = false;
        bar.value = 0;
        button.disabled = true;
        status.textContent = "Uploading…";
        xhr.upload.addEventListener("progress", (ev) => {
          if (!ev.lengthComputable) return;
          const pct = Math.round((ev.loaded * 100) / ev.total);
          bar.value = pct;
          bar.textContent = pct + "%";
          status.textContent = "Uploading… " + pct + "%";
        });
        xhr.upload.addEventListener("load", () => {
          bar.value = 100;
          status.textContent = "Uploaded. Saving…";
        });
        xhr.addEventListener("load", () => {
          if (xhr.status < 400 && xhr.responseURL) {
            location.assign(xhr.responseURL); // the page again, with its confirmation
            return;
          }
          // Refused: show the page the server answered (the form with its
          // messages) in place of this one.
          const doc = new DOMParser().parseFromString(xhr.responseText, "text/html");
          if (!doc.querySelector("main")) {
            button.disabled = false;
            status.textContent = "Something went wrong (" + xhr.status + "). Please try again.";
            return;
          }
          document.body.replaceWith(document.adoptNode(doc.body));
          const alert = document.querySelector("[data-autofocus]");
          if (alert) { alert.scrollIntoView(); alert.focus(); }
          task(true);
        });
        xhr.addEventListener("error", () => {
          button.disabled = false;
          bar.hidden = true;
          status.textContent = "The upload failed. Check your connection and try again.";
          status.classList.add("error");
        });
        xhr.send(new FormData(form));
      });
    });
  };
  document.addEventListener("DOMContentLoaded", () => task(false));
})();

// Manager's document upload (/manage/documents/new): refuse a file over
// the limit before sending it, then send with a progress bar. Without this
// script the form posts normally.
(() => {
  document.addEventListener("DOMContentLoaded", () => {
    const form = document.querySelector("form[data-doc-upload]");
    if (!form || !window.FormData) return;
    const box = form.querySelector(".upload-progress");
    const bar = box.querySelector("progress");
    const text = box.querySelector("[data-progress-text]");
    const button = form.querySelector("button[type=submit]");
    const input = form.querySelector("input[type=file]");
    form.addEventListener("submit", (e) => {
      const file = input.files[0];
      const limit = Number(input.dataset.maxBytes);
      box.hidden = false;
      if (file && limit && file.size > limit) {
        e.preventDefault();
        bar.value = 0;
        text.textContent = "“" + file.name + "” is too large (max " + Math.round(limit / 1e6) + " MB). Choose a smaller file.";
        input.focus();
        return;
      }
      e.preventDefault();
      const xhr = new XMLHttpRequest();
      xhr.open("POST", form.action);
      button.disabled = true;
      bar.value = 0;
      text.textContent = "Starting…";
      xhr.upload.addEventListener("progress", (ev) => {
        if (!ev.lengthComputable) return;
        const pct = Math.round((ev.loaded * 100) / ev.total);
        bar.value = pct;
        text.textContent = pct + "% uploaded";
      });
      xhr.upload.addEventListener("load", () => {
        bar.value = 100;
        text.textContent = "Uploaded. Checking and saving the document…";
      });
      xhr.addEventListener("load", () => {
        // The answer (the document's page with its one-time confirmation,
        // or the form with messages) replaces this page.
        const doc = new DOMParser().parseFromString(xhr.responseText, "text/html");
        if (!doc.querySelector("main")) {
          button.disabled = false;
          text.textContent = "Something went wrong (" + xhr.status + "). Please try again.";
          return;
        }
        document.title = doc.title;
        document.body.replaceWith(document.adoptNode(doc.body));
        if (xhr.responseURL && xhr.responseURL !== location.href && new URL(xhr.responseURL).origin === location.origin) {
          history.pushState(null, "", xhr.responseURL);
          window.addEventListener("popstate", () => location.reload(), { once: true });
        }
        const alert = document.querySelector("[data-autofocus]");
        if (alert) alert.focus();
      });
      xhr.addEventListener("error", () => {
        button.disabled = false;
        text.textContent = "The upload failed. Check your connection and try again.";
      });
      xhr.send(new FormData(form));
    });
  });
})();
