import type { Page } from '@playwright/test';

/** Scrolls the message list to the top or bottom; says which seqs and how many nodes it holds then. */
export async function scrollTo(
  page: Page,
  where: 'top' | 'bottom',
): Promise<{ seqs: number[]; nodes: number }> {
  return page.evaluate(async (where) => {
    const scroller = document.querySelector<HTMLElement>('.scroller')!;
    scroller.scrollTop = where === 'top' ? 0 : scroller.scrollHeight;
    await new Promise((r) => requestAnimationFrame(r));
    const items = [...scroller.querySelectorAll<HTMLElement>('li[data-seq]')];
    return { seqs: items.map((li) => Number(li.dataset.seq)).sort((a, b) => a - b), nodes: items.length };
  }, where);
}
