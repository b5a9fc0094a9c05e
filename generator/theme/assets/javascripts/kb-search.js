/* Search for the knowledge base, behind Material for MkDocs' search interface.
 *
 * Material's interface talks to a web worker in four messages: setup (0), ready
 * (1), query (2) and result (3). Its own worker downloads an index of every page
 * and builds it before answering; this one answers from the split index that
 * generator/outputs/search.py writes under search/kb/, so a query loads only the
 * files it needs: index.json, one words file per query word and the documents of
 * its best results. Words are normalised exactly as there.
 *
 * Record text is untrusted: everything placed in a result is HTML-escaped here,
 * because Material inserts titles and teasers as HTML.
 */
"use strict"

const SETUP = 0
const READY = 1
const QUERY = 2
const RESULT = 3
const FORMAT = 1

const base = new URL("../../search/kb/", self.location.href)
const files = new Map()
let manifest = null
let suggest = false
let latest = 0

/* The normalised words of a text (generator/outputs/search.py: words) */
function words(text) {
  const bare = text.toLowerCase().normalize("NFKD").replace(/\p{M}/gu, "")
  return bare.match(/[\p{L}\p{N}]+/gu) || []
}

function fetchJSON(name, init) {
  return fetch(new URL(name, base), init).then(response => {
    if (!response.ok)
      throw new Error(`search file ${name}: HTTP ${response.status}`)
    return response.json()
  })
}

/* A file whose name holds its content's hash, fetched once */
function load(name) {
  if (!files.has(name))
    files.set(name, fetchJSON(name).catch(error => {
      files.delete(name)
      throw error
    }))
  return files.get(name)
}

/* index.json names the build's files: always asked for fresh, once per worker */
function index() {
  if (manifest === null)
    manifest = fetchJSON("index.json", { cache: "no-cache" }).then(data => {
      if (data.format !== FORMAT)
        throw new Error(`search index format ${data.format}; this page reads ${FORMAT}`)
      data.stop = new Set(data.stop_words)
      return data
    }).catch(error => {
      manifest = null
      throw error
    })
  return manifest
}

/* Documents matching one query word: number → score, and the commonest completion */
async function match(data, term) {
  const scores = new Map()
  const key = Array.from(term).slice(0, data.prefix).join("")
  const name = data.terms[key]
  if (name === undefined)
    return { scores, completion: null }
  const shard = await load(name)
  let completion = null
  let most = 0
  for (const [word, postings] of Object.entries(shard)) {
    if (!word.startsWith(term))
      continue
    const share = word === term ? 1 : data.prefix_share
    for (let i = 0; i < postings.length; i += 2) {
      const score = postings[i + 1] * share
      if (score > (scores.get(postings[i]) || 0))
        scores.set(postings[i], score)
    }
    if (postings.length > most || (postings.length === most && word < completion)) {
      completion = word
      most = postings.length
    }
  }
  return { scores, completion }
}

/* Ranked documents: those matching every word, else those matching any */
function rank(matches) {
  const every = [...matches[0].scores.keys()]
    .filter(doc => matches.every(m => m.scores.has(doc)))
  const chosen = every.length
    ? every
    : [...new Set(matches.flatMap(m => [...m.scores.keys()]))]
  return chosen
    .map(doc => ({
      doc,
      score: matches.reduce((sum, m) => sum + (m.scores.get(doc) || 0), 0)
    }))
    .sort((a, b) => b.score - a.score || a.doc - b.doc)
}

function escapeHTML(text) {
  return text.replace(/[&<>"']/g, c => `&#${c.charCodeAt(0)};`)
}

function escapeRegExp(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")
}

/* The text, escaped, with words starting like a query word marked */
function highlighter(query) {
  const raw = [...new Set(query.split(/[^\p{L}\p{N}]+/u).filter(Boolean))]
    .sort((a, b) => b.length - a.length)
  if (!raw.length)
    return escapeHTML
  const pattern = new RegExp(
    `(?<![\\p{L}\\p{N}])(?:${raw.map(escapeRegExp).join("|")})`, "giu"
  )
  return text => {
    let out = ""
    let last = 0
    for (const found of text.matchAll(pattern)) {
      out += escapeHTML(text.slice(last, found.index))
      out += `<mark>${escapeHTML(found[0])}</mark>`
      last = found.index + found[0].length
    }
    return out + escapeHTML(text.slice(last))
  }
}

class Superseded extends Error {}

/* The result for a query, unless a newer one is typed before its documents load */
async function search(query, ticket) {
  const data = await index()
  const terms = [...new Set(words(query))].filter(term => !data.stop.has(term))
  if (!terms.length)
    return { items: [] }
  const matches = await Promise.all(terms.map(term => match(data, term)))
  if (ticket !== latest)
    throw new Superseded()
  const best = rank(matches).slice(0, data.limit)
  const chunks = await Promise.all(
    [...new Set(best.map(({ doc }) => Math.floor(doc / data.chunk)))]
      .map(async chunk => [chunk, await load(data.docs[chunk])])
  )
  const documents = new Map(chunks)
  const mark = highlighter(query)
  const items = best.map(({ doc, score }) => {
    const [location, title, text] = documents.get(Math.floor(doc / data.chunk))[doc % data.chunk]
    const found = {}
    terms.forEach((term, i) => { found[term] = matches[i].scores.has(doc) })
    return [{ location, title: mark(title), text: mark(text), score, terms: found }]
  })
  const last = matches[matches.length - 1].completion
  const typed = terms[terms.length - 1]
  return suggest && last && last !== typed && items.length
    ? { items, suggest: [last] }
    : { items }
}

async function handle(message) {
  switch (message.type) {
    case SETUP:
      suggest = Boolean(message.data.options && message.data.options.suggest)
      index().catch(error => console.warn(error))
      return { type: READY }
    case QUERY: {
      const ticket = ++latest
      let data
      try {
        data = await search(message.data, ticket)
      } catch (error) {
        if (error instanceof Superseded)
          return null
        console.warn(`Search failed: ${error.message}`)
        data = { items: [] }
      }
      // A newer query was typed meanwhile: its result is the one to show.
      return ticket === latest ? { type: RESULT, data } : null
    }
    default:
      throw new TypeError("Invalid message type")
  }
}

addEventListener("message", async event => {
  const reply = await handle(event.data)
  if (reply !== null)
    postMessage(reply)
})
