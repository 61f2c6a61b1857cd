/* Longform — search.
   Shows the search box (hidden in the HTML: without JavaScript there is no index to ask) and
   loads Pagefind only when a reader wants it: on the search page at once, elsewhere when the
   header box gets focus. Pagefind's files sit at data-search-bundle; its result URLs are
   site-relative, so data-search-base (the base_url's path) goes in front of them. */
(function () {
  "use strict";

  var loading = null;

  // The index comes in shards (so an edit re-indexes one): the first at the bundle's root,
  // the others named in shards.json and merged in. Merged shards use the first one's script
  // and WebAssembly; each adds its small metadata file and the index chunks a query needs.
  function pagefind(form) {
    if (!loading) {
      var bundle = form.dataset.searchBundle;
      var options = { baseUrl: form.dataset.searchBase };
      var shards = fetch(bundle + "shards.json").then(function (response) {
        return response.ok ? response.json() : { shards: [] };
      });
      loading = import(bundle + "pagefind.js").then(function (module) {
        return module.options(options).then(function () {
          module.init();
          return shards;
        }).then(function (list) {
          return Promise.all(list.shards.map(function (name) {
            return module.mergeIndex(bundle + name, options);
          }));
        }).then(function () {
          return module;
        });
      });
    }
    return loading;
  }

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text) node.textContent = text;
    return node;
  }

  // One result: the title as a link, the date, and Pagefind's excerpt. The excerpt is HTML
  // Pagefind escaped itself, with <mark> around the words found.
  function resultItem(data, compact) {
    var item = element("li", "search-result");
    var title = element(compact ? "p" : "h2", "search-result__title");
    var link = element("a", null, (data.meta && data.meta.title) || data.url);
    link.href = data.url;
    title.appendChild(link);
    item.appendChild(title);
    if (data.meta && data.meta.date && !compact) {
      item.appendChild(element("p", "search-result__date", data.meta.date));
    }
    var excerpt = element("p", "search-result__excerpt");
    excerpt.innerHTML = data.excerpt;
    item.appendChild(excerpt);
    return item;
  }

  function search(form, query, limit) {
    return pagefind(form).then(function (module) {
      return module.debouncedSearch(query, {}, 150);
    }).then(function (found) {
      if (!found) return null; // a newer query took over
      var shown = found.results.slice(0, limit);
      return Promise.all(shown.map(function (r) { return r.data(); })).then(function (data) {
        return { total: found.results.length, data: data };
      });
    });
  }

  function plural(n) {
    return n === 1 ? "1 essay" : n + " essays";
  }

  function headerBox(form) {
    var input = form.querySelector("input");
    var panel = form.querySelector(".site-search__results");
    input.addEventListener("focus", function () { pagefind(form); });
    input.addEventListener("input", function () {
      var query = input.value.trim();
      if (!query) {
        panel.hidden = true;
        return;
      }
      search(form, query, 5).then(function (found) {
        if (!found || input.value.trim() !== query) return;
        panel.textContent = "";
        var list = element("ol", "search-results search-results--compact");
        list.setAttribute("role", "list");
        found.data.forEach(function (d) { list.appendChild(resultItem(d, true)); });
        if (found.total === 0) {
          panel.appendChild(element("p", "site-search__empty", "No essay mentions that."));
        } else {
          panel.appendChild(list);
          var all = element("a", "site-search__all", "All results (" + plural(found.total) + ")");
          all.href = form.action + "?q=" + encodeURIComponent(query);
          panel.appendChild(all);
        }
        panel.hidden = false;
      });
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "Escape") {
        panel.hidden = true;
        input.blur();
      }
    });
    document.addEventListener("click", function (event) {
      if (!form.contains(event.target)) panel.hidden = true;
    });
  }

  function searchPage(form) {
    var input = form.querySelector("input");
    var status = form.querySelector(".search-page__status");
    var list = form.querySelector(".search-results");
    function run() {
      var query = input.value.trim();
      var address = query ? "?q=" + encodeURIComponent(query) : location.pathname;
      history.replaceState(null, "", address);
      if (!query) {
        list.textContent = "";
        status.textContent = "";
        return;
      }
      search(form, query, 30).then(function (found) {
        if (!found || input.value.trim() !== query) return;
        list.textContent = "";
        found.data.forEach(function (d) { list.appendChild(resultItem(d, false)); });
        status.textContent = found.total === 0
          ? "No essay mentions “" + query + "”."
          : plural(found.total) + " found" + (found.total > 30 ? "; the 30 closest shown." : ".");
      });
    }
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      run();
    });
    input.addEventListener("input", run);
    input.value = new URLSearchParams(location.search).get("q") || "";
    pagefind(form);
    if (input.value) run();
    else input.focus();
  }

  document.querySelectorAll("form[data-search-bundle]").forEach(function (form) {
    form.hidden = false;
    if (form.hasAttribute("data-search-page")) searchPage(form);
    else headerBox(form);
  });
})();
