#!/usr/bin/env python3
"""check_reports.py REPORT.md REPORT.html REPORT.json [DOM.html]

The three triage reports come from one model (triage/report_model.c), so
they must say the same things: every bucket's signature, last-seen time,
replay and C-reproducer commands and listed findings appear in the
Markdown and in the HTML; the JSON bucket carries the minimized input's
result as `gatecrash run --json` gives it, with a "diffs" array. The HTML
is well formed and its plot readable: tick marks with labels on both
axes, the x axis from 0, each series drawn as steps (only horizontal and
vertical moves), and one mark per finding. DOM.html, when given, is
chromium's --dump-dom of the HTML: the same structure after a real
browser parsed it.
"""
import json
import re
import sys
from html.parser import HTMLParser

VOID = {'meta', 'br', 'img', 'input', 'link', 'hr'}


class Page(HTMLParser):
    def __init__(self):
        super().__init__()
        self.stack, self.bad = [], []
        self.elems = []  # (tag, attrs)
        self.text = []

    def handle_starttag(self, tag, attrs):
        self.elems.append((tag, dict(attrs)))
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.elems.append((tag, dict(attrs)))

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.bad.append(tag)
        else:
            self.stack.pop()

    def handle_data(self, data):
        self.text.append(data)


def fail(why):
    print('FAIL: ' + why)
    sys.exit(1)


def parse(path, strict):
    p = Page()
    p.raw = open(path, encoding='utf-8').read()
    p.feed(p.raw)
    p.close()
    if strict and (p.bad or p.stack):
        fail('%s: mismatched %s, unclosed %s' % (path, p.bad, p.stack))
    return p


def by_class(page, tag, cls):
    return [a for t, a in page.elems
            if t == tag and cls in a.get('class', '').split()]


def check_plot(page, what, nfindings):
    if not [1 for t, _ in page.elems if t == 'svg']:
        fail(what + ': no svg plot')
    paths = by_class(page, 'path', 'series')
    if not paths:
        fail(what + ': no series in the plot')
    for a in paths:
        d = a.get('d', '')
        moves = re.findall(r'[A-Za-z]', d)
        if not moves or moves[0] != 'M' or set(moves[1:]) - {'H', 'V'}:
            fail('%s: series %s not drawn as steps: %s' %
                 (what, a.get('data-series'), d[:80]))
    xt = by_class(page, 'text', 'tick')
    xs = [a for a in xt if 'x' in a.get('class', '').split()]
    ys = [a for a in xt if 'y' in a.get('class', '').split()]
    if len(xs) < 2 or len(ys) < 2:
        fail('%s: %d x and %d y tick labels' % (what, len(xs), len(ys)))
    if not by_class(page, 'line', 'tick'):
        fail(what + ': no tick marks')
    if not re.search(r'class="tick x"[^>]*>0</text>', page.raw):
        fail(what + ': the time axis does not start at 0')
    marks = by_class(page, 'circle', 'finding')
    if len(marks) != min(nfindings, 400):
        fail('%s: %d finding marks for %d findings' %
             (what, len(marks), nfindings))
    return len(paths), len(xs), len(ys), len(marks)


def main():
    md = open(sys.argv[1], encoding='utf-8').read()
    html_path, rep = sys.argv[2], json.load(open(sys.argv[3]))
    page = parse(html_path, True)
    text = ''.join(page.text)
    nfind = sum(len(b['findings']) for b in rep['buckets'])
    for b in rep['buckets']:
        for field in ('signature', 'repro_command', 'reproducer_command'):
            for name, doc in (('markdown', md), ('html', text)):
                if b[field] not in doc:
                    fail('%s lacks %s %r' % (name, field, b[field]))
        replay = b['replay']
        if not isinstance(replay.get('diffs'), list):
            fail('json bucket %s: no diffs array' % b['signature'])
        for d in replay['diffs']:
            if set(d) != {'field', 'mechanism', 'reference'}:
                fail('json diff %r' % d)
        if replay['verdict'] != b['verdict']:
            fail('json replay verdict %s, bucket %s' %
                 (replay['verdict'], b['verdict']))
        for f in b['findings'][:12]:
            for name, doc in (('markdown', md), ('html', text)):
                if 'findings/' + f['name'] not in doc:
                    fail('%s does not list findings/%s' % (name, f['name']))
    # "last seen" in both: the summary tables have the same columns.
    for name, doc in (('markdown', md), ('html', text)):
        if 'last seen' not in doc:
            fail(name + ' has no "last seen"')
    summary = check_plot(page, 'html', nfind)
    if len(sys.argv) > 4:
        dom = parse(sys.argv[4], False)
        if check_plot(dom, 'chromium DOM', nfind) != summary:
            fail('chromium built another plot than the file says')
    print('reports agree: %d buckets, %d findings; plot: %d series, '
          '%d x and %d y tick labels, %d finding marks' %
          ((len(rep['buckets']), nfind) + summary))


main()
