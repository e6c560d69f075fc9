"""长辈模式 measured in the browser, to MIIT's 《移动互联网应用（APP）适老化通用设计规范》 (2021)
with pt read as CSS px (docs/miniprogram.md): every visible text at least 18 px and the largest
at least 30 px, line spacing at least 1.3×, contrast at least 4.5:1 (3:1 from 24 px, i.e. 18 pt),
every touch target (button, link, switch, text box, tile) at least 60 × 60 px, and no pop-up."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from playwright.async_api import Page

MEASURE = r"""
() => {
  const root = [...document.querySelectorAll('.taro_page')]
    .find(e => getComputedStyle(e).display !== 'none') || document.body;
  const visible = e => { const r = e.getBoundingClientRect(); const s = getComputedStyle(e);
    return r.width > 0 && r.height > 0 && s.visibility !== 'hidden' && s.display !== 'none'
      && s.opacity !== '0'; };
  const rgb = c => { const m = c.match(/rgba?\(([^)]+)\)/); if (!m) return null;
    const p = m[1].split(',').map(Number); return {r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1}; };
  const lum = c => { const f = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b); };
  const background = e => { for (let n = e; n; n = n.parentElement) { const c = rgb(getComputedStyle(n).backgroundColor);
      if (c && c.a > 0.5) return c; } return {r: 255, g: 255, b: 255, a: 1}; };
  const texts = []; const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const e = n.parentElement; if (!n.textContent.trim() || !e || !visible(e)) continue;
    const s = getComputedStyle(e); const size = parseFloat(s.fontSize);
    const lh = s.lineHeight === 'normal' ? size * 1.2 : parseFloat(s.lineHeight);
    const fg = rgb(s.color), bg = background(e);
    const L1 = lum(fg), L2 = lum(bg); const ratio = (Math.max(L1, L2) + 0.05) / (Math.min(L1, L2) + 0.05);
    texts.push({text: n.textContent.trim().slice(0, 20), size, lineRatio: lh / size, contrast: ratio});
  }
  const targets = [...root.querySelectorAll('[role=button],[role=link],[role=switch],button,a,input,textarea,.tile')]
    .filter(visible).map(e => { const r = e.getBoundingClientRect();
      return {what: (e.getAttribute('aria-label') || e.textContent || e.tagName).trim().slice(0, 20),
              w: r.width, h: r.height}; })
    .filter(t => !t.what.startsWith('INPUT') || true);
  const popups = document.querySelectorAll('.taro__modal,.taro__toast,.taro__actionSheet,[role=dialog]').length;
  return {texts, targets, popups};
}
"""


@dataclass
class ElderAudit:
    texts: list[dict[str, Any]]
    targets: list[dict[str, Any]]
    popups: int
    problems: list[str] = field(default_factory=list)

    @property
    def largest(self) -> float:
        return max((t["size"] for t in self.texts), default=0.0)

    @property
    def smallest(self) -> float:
        return min((t["size"] for t in self.texts), default=0.0)

    @property
    def lowest_contrast(self) -> float:
        return min((t["contrast"] for t in self.texts), default=21.0)

    @property
    def smallest_target(self) -> float:
        return min((min(t["w"], t["h"]) for t in self.targets), default=0.0)


async def audit_elder(page: Page) -> ElderAudit:
    """Measure the page on show; ``problems`` lists every breach of the rules above."""
    found = await page.evaluate(MEASURE)
    audit = ElderAudit(found["texts"], found["targets"], found["popups"])
    for t in audit.texts:
        if t["size"] < 18:
            audit.problems.append(f"text {t['text']!r} is {t['size']:.0f} px (< 18)")
        if t["lineRatio"] < 1.3:
            audit.problems.append(f"text {t['text']!r} line spacing {t['lineRatio']:.2f} (< 1.3)")
        need = 3.0 if t["size"] >= 24 else 4.5
        if t["contrast"] < need:
            audit.problems.append(f"text {t['text']!r} contrast {t['contrast']:.2f} (< {need})")
    if audit.texts and audit.largest < 30:
        audit.problems.append(f"the largest text is {audit.largest:.0f} px (< 30)")
    for t in audit.targets:
        if t["w"] < 60 or t["h"] < 60:
            audit.problems.append(f"target {t['what']!r} is {t['w']:.0f}×{t['h']:.0f} (< 60×60)")
    if audit.popups:
        audit.problems.append(f"{audit.popups} pop-up(s) on the page")
    return audit


async def audit_targets(page: Page, minimum: float = 44) -> list[str]:
    """Every touch target on show smaller than ``minimum`` × ``minimum`` px (44 in normal mode)."""
    found = await page.evaluate(MEASURE)
    return [
        f"target {t['what']!r} is {t['w']:.0f}×{t['h']:.0f} (< {minimum:.0f}×{minimum:.0f})"
        for t in found["targets"]
        if t["w"] < minimum or t["h"] < minimum
    ]
