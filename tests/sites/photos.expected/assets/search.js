// Search page: runs Pagefind in the browser over the sharded, chunked index in pagefind/.
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

  // The index is cut into shards (a language, or a few years or months of a big one);
  // shards.json lists them with their languages. Pagefind starts from the primary index
  // at the top of the bundle, which has no pages, and merges every language of every
  // shard, so one query searches them all. Each entry file is asked for under a tag that
  // changes with it, so that a browser may keep it between visits.
  function loadPagefind() {
    if (pagefind) return pagefind;
    var bundleUrl = new URL(bundle, window.location.href).href;
    var listing = fetch(bundleUrl + "shards.json", { cache: "no-cache" })
      .then(function (response) {
        if (!response.ok) throw new Error("no search index");
        return response.json();
      });
    // Pagefind's code is fetched meanwhile (an index without shards has none).
    var code = import(bundleUrl + "pagefind.js").catch(function () { return null; });
    pagefind = Promise.all([listing, code])
      .then(function (loaded) {
        var shards = loaded[0].shards || [];
        var pf = loaded[1];
        if (!shards.length) {
          var none = function () { return Promise.resolve({ results: [] }); };
          return { search: none, debouncedSearch: none };
        }
        if (!pf) throw new Error("no search code");
        return pf.options({ excerptLength: 30, metaCacheTag: loaded[0].tag })
          .then(function () {
            var merges = [];
            shards.forEach(function (shard) {
              Object.keys(shard.languages).sort().forEach(function (lang) {
                merges.push(pf.mergeIndex(bundleUrl + shard.name + "/",
                  { language: lang, metaCacheTag: shard.tag }));
              });
            });
            return Promise.all(merges);
          })
          .then(function () { return pf; });
      });
    return pagefind;
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

  function resultItem(data) {
    var item = document.createElement("li");
    var heading = document.createElement("h2");
    var link = document.createElement("a");
    // Results from merged indexes come back as absolute URLs; keep them local.
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
    return item;
  }

  // Each result's excerpt is a file of its own: all are requested at once and the list is
  // filled in rank order as they arrive, so the best result shows without waiting for the
  // twentieth. Returns once every result is shown (or a newer query took over).
  function show(results, query, ticket) {
    var pending = results.map(function (r) { return r.data(); });
    var shown = 0;
    function next() {
      if (ticket !== latest) return null;
      if (shown === pending.length) {
        if (!shown) list.textContent = "";
        status.textContent = shown ? shown + " shown for “" + query + "”"
          : "No articles found for “" + query + "”.";
        return null;
      }
      return pending[shown].then(function (data) {
        if (ticket !== latest) return null;
        if (!shown) list.textContent = "";
        list.appendChild(resultItem(data));
        shown += 1;
        return next();
      });
    }
    return next();
  }

  // While typing, Pagefind fetches the word chunks of each prefix at once and searches
  // only once the keys have paused for PAUSE ms; a submitted form searches at once.
  var PAUSE = 150;
  var lastKey = 0;

  function run(query, typed) {
    var ticket = ++latest;
    query = query.trim();
    if (!query) {
      list.textContent = "";
      status.textContent = "";
      return;
    }
    status.textContent = "Searching…";
    loadPagefind().then(function (pf) {
      if (ticket !== latest) return null;
      var wait = typed ? PAUSE - (Date.now() - lastKey) : 0;
      return wait > 0 ? pf.debouncedSearch(query, {}, wait) : pf.search(query);
    }).then(function (search) {
      if (ticket !== latest || !search) return null;
      return show(search.results.slice(0, 20), query, ticket);
    }).catch(function () {
      status.textContent = "Search is not available on this copy of the site.";
    });
  }

  var timer = null;
  input.addEventListener("input", function () {
    lastKey = Date.now();
    run(input.value, true);
    clearTimeout(timer);
    timer = setTimeout(function () {
      var url = new URL(window.location.href);
      url.searchParams.set("q", input.value);
      window.history.replaceState(null, "", url);
    }, PAUSE);
  });
  input.form.addEventListener("submit", function (event) {
    event.preventDefault();
    run(input.value, false);
  });
  // Fetch the shard list and every shard's small entry files now, so that the first
  // keystroke searches at once.
  loadPagefind().catch(function () { pagefind = null; });
  var initial = new URL(window.location.href).searchParams.get("q");
  if (initial) {
    input.value = initial;
    run(initial, false);
  }
})();
