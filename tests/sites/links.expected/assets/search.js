// Search page: runs Pagefind in the browser over the chunked index in pagefind/.
// Works on any static host; the page also answers plain form submissions (?q=word).
(function () {
  "use strict";
  var script = document.currentScript;
  var bundle = script.getAttribute("data-bundle");
  var input = document.getElementById("search-query");
  var status = document.getElementById("search-status");
  var list = document.getElementById("search-results");
  var pagefind = null;
  var latest = 0;

  function loadPagefind() {
    if (pagefind) return pagefind;
    var bundleUrl = new URL(bundle, window.location.href).href;
    pagefind = import(bundleUrl + "pagefind.js").then(function (pf) {
      return pf.options({ excerptLength: 30 })
        .then(function () { return fetch(bundleUrl + "pagefind-entry.json"); })
        .then(function (response) { return response.json(); })
        .then(function (entry) {
          // Each language has its own index (and stemming); search them all.
          var languages = Object.keys(entry.languages || {});
          var primary = pickPrimary(entry.languages || {});
          return Promise.all(languages.filter(function (lang) { return lang !== primary; })
            .map(function (lang) { return pf.mergeIndex(bundleUrl, { language: lang }); }));
        })
        .then(function () { return pf; });
    });
    return pagefind;
  }

  // Mirrors Pagefind's choice of its primary index: the page's language, else the largest.
  function pickPrimary(languages) {
    var lang = (document.documentElement.lang || "unknown").toLowerCase();
    if (languages[lang]) return lang;
    if (languages[lang.split("-")[0]]) return lang.split("-")[0];
    var best = null;
    Object.keys(languages).forEach(function (key) {
      if (best === null || languages[key].page_count > languages[best].page_count) best = key;
    });
    return best;
  }

  // Excerpts come back as text with <mark> around matches; rebuild them as DOM nodes so
  // nothing else in them can become markup.
  function excerptNode(excerpt) {
    var p = document.createElement("p");
    p.className = "search-excerpt";
    excerpt.split(/(<mark>|<\/mark>)/).reduce(function (marked, part) {
      if (part === "<mark>") return true;
      if (part === "</mark>") return false;
      var text = document.createTextNode(part.replace(/&lt;/g, "<").replace(/&gt;/g, ">")
        .replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, "&"));
      if (marked) {
        var mark = document.createElement("mark");
        mark.appendChild(text);
        p.appendChild(mark);
      } else {
        p.appendChild(text);
      }
      return marked;
    }, false);
    return p;
  }

  function show(results, query) {
    list.textContent = "";
    results.forEach(function (data) {
      var item = document.createElement("li");
      var heading = document.createElement("h2");
      var link = document.createElement("a");
      // Results from merged language indexes come back as absolute URLs; keep them local.
      link.href = data.url.indexOf(window.location.origin) === 0
        ? data.url.slice(window.location.origin.length) : data.url;
      link.textContent = (data.meta && data.meta.title) || data.url;
      heading.appendChild(link);
      item.appendChild(heading);
      var meta = [];
      if (data.meta && data.meta.date) meta.push(data.meta.date);
      if (data.meta && data.meta.byline) meta.push(data.meta.byline);
      if (meta.length) {
        var line = document.createElement("p");
        line.className = "meta";
        line.textContent = meta.join(" · ");
        item.appendChild(line);
      }
      item.appendChild(excerptNode(data.excerpt || ""));
      list.appendChild(item);
    });
    status.textContent = results.length ? results.length + " shown for “" + query + "”"
      : "No articles found for “" + query + "”.";
  }

  function run(query) {
    var ticket = ++latest;
    query = query.trim();
    if (!query) {
      list.textContent = "";
      status.textContent = "";
      return;
    }
    status.textContent = "Searching…";
    loadPagefind().then(function (pf) { return pf.search(query); }).then(function (search) {
      if (ticket !== latest || !search) return null;
      return Promise.all(search.results.slice(0, 20).map(function (r) { return r.data(); }));
    }).then(function (results) {
      if (results && ticket === latest) show(results, query);
    }).catch(function () {
      status.textContent = "Search is not available on this copy of the site.";
    });
  }

  var timer = null;
  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () {
      var url = new URL(window.location.href);
      url.searchParams.set("q", input.value);
      window.history.replaceState(null, "", url);
      run(input.value);
    }, 150);
  });
  input.form.addEventListener("submit", function (event) {
    event.preventDefault();
    run(input.value);
  });
  // Fetch the small entry files now so the first keystroke searches at once.
  loadPagefind().catch(function () { pagefind = null; });
  var initial = new URL(window.location.href).searchParams.get("q");
  if (initial) {
    input.value = initial;
    run(initial);
  }
})();
