"""``python -m bench.pdf_render``: what our contract pipeline costs on top of WeasyPrint, and a renderer's memory.

Measured: rendering a five-page contract (default: product_gifting in German from its sample terms) through
our whole pipeline, ``load_template`` (catalogue) + ``render_contract_pdf`` (terms and constants checked and
copied as plain data, every clause rendered in the Jinja sandbox, the layout, WeasyPrint with the restricted
URL fetcher, SHA-256). Baseline, in the same run and interleaved sample by sample: WeasyPrint alone rendering
the very same final HTML with its default URL fetcher (the asset URLs rewritten to file:// paths of the same
fonts). The ratio is the number to watch (target: overhead under 15%); absolute times depend on the machine.

Peak memory: a fresh Python process renders the contract N times and reports its peak RSS (VmHWM),
once through our pipeline and once with the baseline, so the budget for a rendering worker is known.

No database or Redis is needed. Results are printed as a table and written as JSON to bench/results/.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from bench.common import Timing, interleaved, machine, shown, stamp, write_result

DOCUMENT_ID = "FP-BENCH-0001"


@dataclass
class Subject:
    """What is rendered: one template version, its sample terms, languages."""

    template: str
    languages: list[str]

    def pipeline(self) -> Callable[[], bytes]:
        """Our whole path, from the catalogue lookup to PDF bytes with their hash."""
        from service.documents.catalogue import load_template
        from service.documents.context import DocumentInfo
        from service.documents.rendering import render_contract_pdf, sample_legal_constants

        legal = sample_legal_constants()
        document = DocumentInfo(DOCUMENT_ID)

        def render() -> bytes:
            template = load_template(self.template)
            return render_contract_pdf(
                template, template.sample_terms, legal=legal, document=document, languages=self.languages
            ).data

        return render

    def final_html(self) -> str:
        """The HTML our pipeline hands to WeasyPrint, with asset URLs WeasyPrint's own fetcher can open."""
        from service.documents.catalogue import load_template
        from service.documents.context import DocumentInfo
        from service.documents.paths import ASSET_SCHEME, SHARED_DIR
        from service.documents.rendering import render_contract_html, sample_legal_constants

        template = load_template(self.template)
        html = render_contract_html(
            template,
            template.sample_terms,
            legal=sample_legal_constants(),
            document=DocumentInfo(DOCUMENT_ID),
            languages=self.languages,
        )
        return html.replace(f"{ASSET_SCHEME}://shared/", SHARED_DIR.as_uri() + "/")

    def baseline(self) -> Callable[[], bytes]:
        """WeasyPrint with nothing of ours around it: same HTML, default fetcher, no sandbox, no hashing."""
        from weasyprint import HTML

        html = self.final_html()

        def render() -> bytes:
            data = HTML(string=html).write_pdf()
            assert data is not None
            return data

        return render


def page_count(data: bytes) -> int:
    import io

    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(data)).pages)


def html_stage(subject: Subject, rounds: int) -> Timing:
    """Our part alone (catalogue, context, sandbox, layout) without WeasyPrint."""
    from service.documents.catalogue import load_template
    from service.documents.context import DocumentInfo
    from service.documents.rendering import render_contract_html, sample_legal_constants

    legal, document = sample_legal_constants(), DocumentInfo(DOCUMENT_ID)
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        template = load_template(subject.template)
        render_contract_html(
            template, template.sample_terms, legal=legal, document=document, languages=subject.languages
        )
        samples.append(time.perf_counter() - start)
    return Timing.of(samples)


# --- peak memory of a rendering process ------------------------------------------------------------


def child_main(mode: str, renders: int, subject: Subject) -> None:
    """Runs in a fresh interpreter: render ``renders`` times, print peak RSS in MiB as JSON."""
    render = subject.pipeline() if mode == "pipeline" else subject.baseline()
    for _ in range(renders):
        render()
    print(json.dumps({"mode": mode, "renders": renders, "peak_rss_mib": round(peak_rss_kib() / 1024, 1)}))


def peak_rss_kib() -> int:
    """This process's own peak RSS. Linux carries ru_maxrss over an exec from the forking parent, so a child
    of a big parent would report the parent's size; VmHWM belongs to the new address space alone."""
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux, bytes on macOS


def peak_rss(mode: str, renders: int, subject: Subject) -> float:
    command = [sys.executable, "-m", "bench.pdf_render", "--child", mode, "--child-renders", str(renders)]
    command += ["--template", subject.template, "--languages", ",".join(subject.languages)]
    output = subprocess.run(  # noqa: S603 (our own module, fixed arguments)
        command, check=True, capture_output=True, text=True, cwd=Path(__file__).resolve().parent.parent
    ).stdout
    return float(json.loads(output.strip().splitlines()[-1])["peak_rss_mib"])


# --- report ----------------------------------------------------------------------------------------


def print_table(rows: list[tuple[str, str, str, str]], notes: list[str]) -> None:
    header = ("measurement", "median", "p10 / p90", "vs baseline")
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]
    for row in [header, *rows]:
        print("  ".join(str(cell).ljust(width) for cell, width in zip(row, widths, strict=True)))
    for note in notes:
        print(f"  {note}")


def run(subject: Subject, rounds: int, warmup: int, child_renders: int) -> dict[str, Any]:
    pipeline, baseline = subject.pipeline(), subject.baseline()
    pages = page_count(pipeline())
    if page_count(baseline()) != pages:
        raise RuntimeError("the pipeline and the baseline rendered different documents")
    ours, theirs = interleaved(pipeline, baseline, rounds, warmup)
    measured, reference = Timing.of(ours), Timing.of(theirs)
    html = html_stage(subject, rounds)
    ratio = round(measured.median_ms / reference.median_ms, 3)
    rss = {mode: peak_rss(mode, child_renders, subject) for mode in ("pipeline", "baseline")}
    return {
        "started_at": stamp(),
        "machine": machine(),
        "params": {
            "template": subject.template,
            "languages": subject.languages,
            "pages": pages,
            "rounds": rounds,
            "warmup": warmup,
            "child_renders": child_renders,
        },
        "pipeline": asdict(measured),
        "weasyprint_baseline": asdict(reference),
        "html_stage": asdict(html),
        "ratio": ratio,
        "overhead_pct": round((ratio - 1) * 100, 1),
        "target_overhead_pct": 15,
        "peak_rss_mib": rss,
    }


def report(result: dict[str, Any]) -> None:
    pipeline, baseline, html = result["pipeline"], result["weasyprint_baseline"], result["html_stage"]
    params = result["params"]
    rows = [
        (
            "our pipeline -> PDF",
            f"{pipeline['median_ms']:.1f} ms",
            f"{pipeline['p10_ms']:.1f} / {pipeline['p90_ms']:.1f}",
            f"{result['ratio']:.3f}x ({result['overhead_pct']:+.1f}%)",
        ),
        (
            "WeasyPrint alone, same HTML",
            f"{baseline['median_ms']:.1f} ms",
            f"{baseline['p10_ms']:.1f} / {baseline['p90_ms']:.1f}",
            "1.000x",
        ),
        (
            "  of which ours: terms -> HTML",
            f"{html['median_ms']:.1f} ms",
            f"{html['p10_ms']:.1f} / {html['p90_ms']:.1f}",
            f"{html['median_ms'] / baseline['median_ms'] * 100:.1f}% of baseline",
        ),
    ]
    rss = result["peak_rss_mib"]
    notes = [
        f"{params['template']} ({'+'.join(params['languages'])}), {params['pages']} pages, {params['rounds']} "
        f"interleaved samples each after {params['warmup']} warm-up renders",
        f"peak RSS of a process rendering it {params['child_renders']} times: pipeline {rss['pipeline']} MiB, "
        f"WeasyPrint alone {rss['baseline']} MiB",
        f"target: overhead under {result['target_overhead_pct']}% -> "
        + ("met" if result["overhead_pct"] < result["target_overhead_pct"] else "NOT met"),
    ]
    print_table(rows, notes)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--template", default="product_gifting", help="template key (default product_gifting)")
    parser.add_argument("--languages", default="de", help="comma-separated, e.g. de or de,en (default de)")
    parser.add_argument("--rounds", type=int, default=30, help="interleaved samples of each (default 30)")
    parser.add_argument("--warmup", type=int, default=3, help="warm-up renders of each (default 3)")
    parser.add_argument("--child-renders", type=int, default=20, help="renders in the memory process (default 20)")
    parser.add_argument("--child", choices=["pipeline", "baseline"], help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    subject = Subject(args.template, args.languages.split(","))
    if args.child:
        child_main(args.child, args.child_renders, subject)
        return 0
    result = run(subject, args.rounds, args.warmup, args.child_renders)
    report(result)
    print(f"written to {shown(write_result('pdf_render', result))}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
