/* derive's practice page: marks each box against the key's bounds, shows a step of the key,
   moves to another variant of the set, and, in a SCORM 1.2 package, reports the score to the LMS.
   Plain JavaScript written for this page: no library, nothing fetched. */
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("practice-data").textContent);
  var holder = document.querySelector("main .sheet");
  var status = document.querySelector("main .controls .status");
  var templates = document.querySelectorAll("template.variant");
  var firstVariant = holder.cloneNode(true);
  var current = 0;
  var WORDS = {right: "right", wrong: "wrong", unreadable: "not a number", empty: "empty"};
  var MARKS = {right: "\u2713 right", wrong: "\u2717 wrong", unreadable: "? not a number", empty: ""};

  /* A typed number: spaces ignored, a Unicode minus or dash read as "-", "1.2×10^-5" or
     "1.2*10^-5" as 1.2e-5, and a decimal comma (with no point) as a point; null if not a number. */
  function typed(text) {
    var t = text.replace(/[\s\u00a0\u202f]/g, "").replace(/[\u2212\u2012\u2013\u2014]/g, "-");
    t = t.replace(/(?:[x\u00d7*\u00b7\u22c5])10\^?\(?([+-]?\d+)\)?$/i, "e$1");
    if (t.indexOf(".") < 0 && /^[+-]?\d*,\d+(?:e[+-]?\d+)?$/i.test(t)) {
      t = t.replace(",", ".");
    }
    return /^[+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?$/i.test(t) ? Number(t) : null;
  }

  function verdict(input) {
    if (input.value.trim() === "") {
      return "empty";
    }
    var box = data.variants[current].boxes[Number(input.getAttribute("data-box"))];
    var value = typed(input.value);
    if (value === null) {
      return "unreadable";
    }
    return value >= Number(box.lo) && value <= Number(box.hi) ? "right" : "wrong";
  }

  function mark(input, result) {
    var shown = document.getElementById(input.getAttribute("aria-describedby"));
    input.classList.remove("right", "wrong");
    shown.classList.remove("right", "wrong");
    if (result === "right" || result === "wrong" || result === "unreadable") {
      var kind = result === "right" ? "right" : "wrong";
      input.classList.add(kind);
      shown.classList.add(kind);
    }
    if (result === "wrong" || result === "unreadable") {
      input.setAttribute("aria-invalid", "true");
    } else {
      input.removeAttribute("aria-invalid");
    }
    shown.textContent = MARKS[result];
  }

  function announce(text) {
    /* a live region announces a change: the same words twice get a no-break space to differ */
    status.textContent = status.textContent === text ? text + "\u00a0" : text;
  }

  function check(focused) {
    var inputs = holder.querySelectorAll("input.box");
    var count = {right: 0, wrong: 0, unreadable: 0, empty: 0};
    var own = "";
    Array.prototype.forEach.call(inputs, function (input) {
      var result = verdict(input);
      count[result] += 1;
      mark(input, result);
      if (input === focused) {
        own = "This box: " + WORDS[result] + ". ";
      }
    });
    var parts = [count.right + " of " + inputs.length + " boxes right"];
    if (count.wrong) {
      parts.push(count.wrong + " wrong");
    }
    if (count.unreadable) {
      parts.push(count.unreadable + " not a number");
    }
    if (count.empty) {
      parts.push(count.empty + " empty");
    }
    announce(own + parts.join(", ") + ".");
    lms.report(count.right, inputs.length, count.empty + count.unreadable === 0);
  }

  function show(index) {
    var source = index === 0 ? firstVariant : templates[index - 1].content;
    var fresh = document.createDocumentFragment();
    Array.prototype.forEach.call(source.childNodes, function (node) {
      fresh.appendChild(node.cloneNode(true));
    });
    holder.replaceChildren(fresh);
    current = index;
    var first = holder.querySelector("input.box");
    if (first) {
      first.focus();
    }
    var variant = data.variants[index];
    announce("New numbers: variant " + variant.id + ", " + (index + 1) + " of " + data.variants.length +
             "; " + variant.boxes.length + " boxes.");
  }

  holder.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && event.target.matches("input.box")) {
      event.preventDefault();
      check(event.target);
    }
  });
  holder.addEventListener("input", function (event) {
    if (event.target.matches("input.box")) {
      mark(event.target, "empty");
    }
  });
  holder.addEventListener("click", function (event) {
    var button = event.target.closest("button.show-step");
    if (!button) {
      return;
    }
    var step = document.getElementById(button.getAttribute("aria-controls"));
    var opening = step.hidden;
    step.hidden = !opening;
    button.setAttribute("aria-expanded", String(opening));
  });
  document.querySelector("main .controls .check").addEventListener("click", function () {
    check(null);
  });
  var next = document.querySelector("main .controls .new-numbers");
  if (next) {
    next.addEventListener("click", function () {
      show((current + 1) % data.variants.length);
    });
  }

  /* SCORM 1.2: the LMS's API object, found by the standard discovery (this window's parents,
     then the opener's); a parent of another origin ends the search. */
  function findAPI(start) {
    var win = start;
    for (var depth = 0; win && depth < 10; depth += 1) {
      try {
        if (win.API) {
          return win.API;
        }
      } catch (error) {
        return null;
      }
      if (win.parent === win) {
        return null;
      }
      win = win.parent;
    }
    return null;
  }

  var RANK = {"not attempted": 0, "browsed": 0, "incomplete": 0, "failed": 1, "completed": 1, "passed": 2};

  /* The score reported is the best check so far (the LMS's own record included): the share of
     boxes right, 0 to 100, rounded down; passed, failed (against the LMS's mastery score) or
     completed once every box is filled, passed at once when the score reaches the mastery score
     (without one: when every box is right), else incomplete. Each check commits. */
  var lms = (function () {
    var api = data.scorm ? findAPI(window) || (window.opener && findAPI(window.opener)) : null;
    var started = Date.now();
    var best = {score: -1, status: "incomplete"};
    var mastery = NaN;
    var finished = false;
    if (api) {
      api.LMSInitialize("");
      var before = api.LMSGetValue("cmi.core.lesson_status");
      if (before === "not attempted" || before === "") {
        api.LMSSetValue("cmi.core.lesson_status", "incomplete");
      }
      var raw = parseFloat(api.LMSGetValue("cmi.core.score.raw"));
      if (!isNaN(raw)) {
        best = {score: raw, status: before in RANK ? before : "incomplete"};
      }
      mastery = parseFloat(api.LMSGetValue("cmi.student_data.mastery_score"));
      api.LMSCommit("");
    }

    function timespan() {
      var seconds = (Date.now() - started) / 1000;
      var hours = Math.min(Math.floor(seconds / 3600), 9999);
      var minutes = Math.floor((seconds % 3600) / 60);
      var rest = (seconds % 60).toFixed(2);
      return (hours < 10 ? "0" : "") + hours + ":" + (minutes < 10 ? "0" : "") + minutes + ":" +
             (rest < 10 ? "0" : "") + rest;
    }

    function report(right, total, filled) {
      if (!api) {
        return;
      }
      var score = total ? Math.floor(100 * right / total) : 100;
      var reached = isNaN(mastery) ? right === total : score >= mastery;
      var status = reached ? "passed" : !filled ? "incomplete" : isNaN(mastery) ? "completed" : "failed";
      if (RANK[status] > RANK[best.status] || (RANK[status] === RANK[best.status] && score > best.score)) {
        best = {score: score, status: status};
      }
      api.LMSSetValue("cmi.core.score.min", "0");
      api.LMSSetValue("cmi.core.score.max", "100");
      api.LMSSetValue("cmi.core.score.raw", String(best.score));
      api.LMSSetValue("cmi.core.lesson_status", best.status);
      api.LMSSetValue("cmi.core.session_time", timespan());
      api.LMSCommit("");
    }

    function finish() {
      if (!api || finished) {
        return;
      }
      finished = true;
      api.LMSSetValue("cmi.core.session_time", timespan());
      api.LMSFinish("");
    }

    window.addEventListener("pagehide", finish);
    return {report: report, found: Boolean(api)};
  })();
  document.documentElement.setAttribute("data-lms", lms.found ? "scorm" : "none");
})();
