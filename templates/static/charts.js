/* Longform — upgrades a chart's static SVG to the interactive Vega view, with tooltips, on the
   reader's first contact with that chart: a pointer over it, a touch, or keyboard focus inside
   it. Only then is the Vega bundle (about 300 KB gzipped, and as much again of main-thread work
   to parse) fetched, once per page. The static SVG already shows every mark and the table every
   number; what the interactive view adds are tooltips, and those need contact anyway. So a
   reader who only reads never pays for it, and the page opens as fast as one without a chart.
   Every chart figure carries its Vega-Lite spec in <script type="application/json">. The view
   is drawn off-page first and swapped in only once vega-embed succeeds, into the same box (the
   same spec at the same size), so nothing moves; a failure, or no JavaScript at all, leaves the
   static SVG, which already reads in light and dark. */
(function () {
  "use strict";

  var script = document.currentScript;
  var bundleUrl = script && script.getAttribute("data-vega");
  var CONTACT = ["pointerover", "touchstart", "focusin"];
  var bundle = null; // the promise of window.vegaEmbed, once asked for

  if (!bundleUrl) {
    return;
  }
  document.querySelectorAll("figure.chart").forEach(function (figure) {
    CONTACT.forEach(function (type) {
      figure.addEventListener(type, onContact, { passive: true });
    });
  });

  function onContact(event) {
    var figure = event.currentTarget;
    CONTACT.forEach(function (type) {
      figure.removeEventListener(type, onContact, { passive: true });
    });
    loadBundle().then(function (vegaEmbed) {
      upgrade(figure, vegaEmbed);
    }, function () {
      // Keep the static SVG: it shows the same chart, only without tooltips.
    });
  }

  function loadBundle() {
    if (!bundle) {
      bundle = new Promise(function (resolve, reject) {
        var element = document.createElement("script");
        element.src = bundleUrl;
        element.async = true;
        element.onload = function () {
          if (typeof window.vegaEmbed === "function") {
            resolve(window.vegaEmbed);
          } else {
            reject(new Error("the Vega bundle did not define vegaEmbed"));
          }
        };
        element.onerror = reject;
        document.head.appendChild(element);
      });
    }
    return bundle;
  }

  function upgrade(figure, vegaEmbed) {
    var view = figure.querySelector(".chart__view");
    var specElement = figure.querySelector("script.chart__spec");
    if (!view || !specElement) {
      return;
    }
    var spec;
    try {
      spec = JSON.parse(specElement.textContent);
    } catch (error) {
      return; // keep the static chart
    }
    var dark = window.matchMedia && window.matchMedia("(prefers-color-scheme: dark)").matches;
    var target = document.createElement("div");
    target.className = "chart__interactive";
    var options = {
      actions: false,
      renderer: "svg", // SVG keeps currentColor text following the page's colour scheme
      defaultStyle: false,
      tooltip: { theme: dark ? "dark" : "light" },
    };
    var still = view.querySelector("svg");
    vegaEmbed(target, spec, options).then(function () {
      fitToStaticBox(target.querySelector("svg"), still);
      view.replaceChildren(target);
      figure.classList.add("chart--interactive");
    }, function () {
      // Keep the static SVG.
    });
  }

  // The browser measures text a little differently from vl-convert, so the live SVG may be a
  // pixel wider or taller; drawn at the static SVG's width and proportions, nothing around the
  // chart moves when it is swapped in.
  function fitToStaticBox(live, still) {
    var width = still && parseFloat(still.getAttribute("width"));
    var height = still && parseFloat(still.getAttribute("height"));
    if (!live || !(width > 0) || !(height > 0)) {
      return;
    }
    live.style.width = width + "px";
    live.style.height = "auto";
    live.style.aspectRatio = width + " / " + height;
  }
})();
