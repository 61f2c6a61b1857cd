/* Longform — stat counters count up once when they scroll into view.
   The page already holds every real value ("175B", "1.8T (est.)", "+42%"); this only animates
   from zero to it, and always ends by putting back the exact text as written. Nothing runs
   when the reader prefers reduced motion or the browser lacks IntersectionObserver. */
(function () {
  "use strict";

  var DURATION = 1200; // ms
  var NUMBER = /^(\D*?)(\d[\d,]*(?:\.\d+)?)([\s\S]*)$/; // prefix, number, suffix

  var values = document.querySelectorAll(".stat__value[data-count]");
  var reduce = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  if (!values.length || reduce || !("IntersectionObserver" in window)) {
    return;
  }

  // A stat already on screen when the page opens is left as it is: the reader (or a
  // screenshot) is already looking at the real value, and counting would replace it with
  // smaller numbers. Only stats that scroll into view later count up.
  var seen = [];
  var observer = new IntersectionObserver(function (entries) {
    entries.forEach(function (entry) {
      var first = seen.indexOf(entry.target) === -1;
      if (first) {
        seen.push(entry.target);
      }
      if (entry.isIntersecting) {
        observer.unobserve(entry.target);
        if (!first) {
          countUp(entry.target);
        }
      }
    });
  }, { threshold: 0.5 });

  values.forEach(function (element) {
    observer.observe(element);
  });

  function countUp(element) {
    var text = element.textContent;
    var parts = NUMBER.exec(text);
    var target = parts ? parseFloat(parts[2].replace(/,/g, "")) : NaN;
    if (!(target > 0)) {
      return;
    }
    var decimals = (parts[2].split(".")[1] || "").length;
    var grouped = parts[2].indexOf(",") !== -1;
    var start = null;

    function frame(now) {
      if (start === null) {
        start = now;
      }
      var progress = Math.min((now - start) / DURATION, 1);
      if (progress >= 1) {
        element.textContent = text; // the real value, exactly as the writer wrote it
        return;
      }
      var eased = 1 - Math.pow(1 - progress, 3);
      element.textContent = parts[1] + shown(target * eased, decimals, grouped) + parts[3];
      window.requestAnimationFrame(frame);
    }

    window.requestAnimationFrame(frame);
  }

  function shown(value, decimals, grouped) {
    var fixed = value.toFixed(decimals);
    if (!grouped) {
      return fixed;
    }
    var halves = fixed.split(".");
    halves[0] = halves[0].replace(/\B(?=(\d{3})+(?!\d))/g, ",");
    return halves.join(".");
  }
})();

/* Longform — video cards: a click swaps the link for the player (from the host's own
   privacy-minded address), so nothing loads from the host before the reader asks. Modified
   clicks (a new tab) keep the link's own behaviour. */
(function () {
  "use strict";

  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest(".video-card__link[data-player]");
    if (!link || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey ||
        event.altKey) {
      return;
    }
    event.preventDefault();
    var frame = document.createElement("iframe");
    frame.src = link.getAttribute("data-player");
    frame.title = link.getAttribute("data-title") || "Video";
    frame.allow = "autoplay; encrypted-media; picture-in-picture; fullscreen";
    frame.allowFullscreen = true;
    link.replaceWith(frame);
    frame.focus();
  });
})();
