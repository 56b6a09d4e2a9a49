"""A key-evaluation year for the sample region (重点评价示例), generated and seeded.

The finance bureau of the fictional 云岭州 hires evaluators for five key objects of
**2024**, echoing the source report (“选取5个评价对象”: 学前教育发展资金, 森林植被恢复费,
社会福利补助资金, 农业保险保费补贴, and one department's overall spending): four projects
whose names match those lines of work and one department with five or six projects.

Written to ``DATA_DIR/key_evaluation_2024`` (default ``data/sample``):

* ``projects.csv`` and ``indicators.csv`` — the rows of the five objects from the
  region, ``projects`` with the optional ``funds_received`` [实际到位资金] (90–100 % of the
  full-year budget; one project fully funded);
* ``survey.csv`` — satisfaction answers per object (40–80 respondents, three questions,
  mostly 满意 or better, some 一般 and 不满意);
* ``working_paper.xlsx`` (``perfkit evaluate prepare``, blank) and
  ``working_paper_filled.xlsx`` — the four projects on ``project-evaluation``, with the
  evaluators' scores, evidence and reasons (most judged leaves at full points, about a
  quarter with a deduction of 0.5–2 and its reason);
* ``working_paper_department.xlsx`` and ``working_paper_department_filled.xlsx`` — the
  department on ``dept-overall-national`` (投入/过程/产出/效果), filled the same way;
* ``survey_with_problems.csv`` and ``working_paper_with_problems.xlsx`` — the same with a
  few realistic mistakes that the checks catch: an answer typed as 8, a respondent
  answering a question twice, a question not in the questionnaire; a score above the
  leaf's points, a deduction without its reason, a judged leaf left empty.

Deterministic: its own ``numpy.random.default_rng(SEED)`` (no other sample file
changes), so the same region gives byte-identical files.  Run::

    python -m perfkit.samples.keyeval data/sample
"""

from __future__ import annotations

import sys
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import numpy as np
import polars as pl

from perfkit.keyeval import prepare_paper, write_paper

__all__ = ["FOLDER", "SEED", "YEAR", "write_key_evaluation"]

YEAR = 2024
#: The seed of this generator's own random stream.
SEED = 19
FOLDER = f"key_evaluation_{YEAR}"
#: Lines of work of the four projects (the source report's), matched in project names.
LINES = ("学前教育", "森林|林业|生态|植被", "福利|救助|养老|残疾", "农业保险|农险|农机|农业")
QUESTIONS = ("总体满意度", "资金发放及时性", "政策宣传知晓度")
_ANSWERS = ("非常满意", "满意", "一般", "不满意", "非常不满意")
_REASONS = {
    "立项": "立项论证材料不完整，缺少可行性研究报告",
    "目标": "部分绩效指标未量化，难以考核",
    "指标": "绩效指标与年度任务未一一对应",
    "预算": "预算测算依据不充分",
    "分配": "资金分配因素法权重未公开",
    "合规": "抽查发现 2 笔支出附件不全",
    "制度": "项目管理办法未及时修订",
    "执行": "部分合同未按期验收归档",
    "效益": "受益对象覆盖面低于预期",
    "可持续": "后续管护资金未落实",
}
_EVIDENCE = ("项目申报书及批复文件", "会议纪要", "资金拨付凭证", "验收报告", "现场核查记录")


def _objects(projects: pl.DataFrame, rng: np.random.Generator) -> tuple[list[str], str]:
    year = projects.filter(pl.col("year") == str(YEAR))
    sizes = (
        year.group_by("dept_code").len().filter(pl.col("len").is_between(5, 6)).sort("dept_code")
    )
    dept = str(sizes.get_column("dept_code")[int(rng.integers(sizes.height))])
    chosen: list[str] = []
    for pattern in LINES:
        found = (
            year.filter(
                pl.col("project_name").str.contains(pattern)
                & (pl.col("dept_code") != dept)
                & ~pl.col("project_code").is_in(chosen)
            )
            .sort("project_code")
            .get_column("project_code")
        )
        pool = found if found.len() else year.filter(pl.col("dept_code") != dept)["project_code"]
        chosen.append(str(pool[int(rng.integers(len(pool)))]))
    return chosen, dept


def _funds(projects: pl.DataFrame, rng: np.random.Generator) -> pl.DataFrame:
    shares = rng.uniform(0.9, 1.0, projects.height)
    shares[0] = 1.0
    received = [
        str(
            (Decimal(b) * Decimal(repr(round(float(s), 4)))).quantize(
                Decimal("0.01"), ROUND_HALF_UP
            )
        )
        for b, s in zip(projects.get_column("budget_full_year"), shares, strict=True)
    ]
    return projects.with_columns(pl.Series("funds_received", received))


def _survey(codes: list[str], rng: np.random.Generator) -> pl.DataFrame:
    rows = []
    for code in codes:
        tilt = rng.uniform(0.0, 0.25)  # how much less satisfied this object's users are
        probs = np.array([0.45 - tilt, 0.4, 0.1 + tilt * 0.6, 0.04 + tilt * 0.3, 0.01 + tilt * 0.1])
        probs = probs / probs.sum()
        for r in range(int(rng.integers(40, 81))):
            for question in QUESTIONS:
                answer = _ANSWERS[int(rng.choice(5, p=probs))]
                rows.append((str(YEAR), code, f"{code}-R{r + 1:03d}", question, answer))
    return pl.DataFrame(
        rows, schema=["year", "unit_code", "respondent", "question", "answer"], orient="row"
    )


def _reason(label: str) -> str:
    for key, reason in _REASONS.items():
        if key in label:
            return reason
    return "佐证材料不足以支持满分"


def _filling(leaves: pl.DataFrame, rng: np.random.Generator) -> pl.DataFrame:
    # satisfaction comes from the survey (evaluate score --survey), not from the evaluator
    judged = leaves.filter(
        (pl.col("source") == "judged")
        & ~pl.col("measure").fill_null("").str.starts_with("satisfaction")
    )
    rows = []
    for leaf in judged.iter_rows(named=True):
        points = Decimal(leaf["max_cents"]).scaleb(-2)
        deduct = Decimal(0)
        if rng.random() < 0.25:
            deduct = min(points, Decimal(int(rng.integers(1, 5))) / 2)
        evidence = _EVIDENCE[int(rng.integers(len(_EVIDENCE)))]
        rows.append(
            {
                "unit_code": leaf["unit_code"],
                "item_id": leaf["item_id"],
                "score": float(points - deduct),
                "evidence": f"{evidence}（{leaf['unit_code']}）",
                "reason": _reason(leaf["label"]) if deduct else "",
            }
        )
    return pl.DataFrame(
        rows,
        schema={"unit_code": pl.String, "item_id": pl.String, "score": pl.Float64,
                "evidence": pl.String, "reason": pl.String},
    )  # fmt: skip


def _with_problems(filled: pl.DataFrame) -> pl.DataFrame:
    """Three realistic slips: a score above the points, a deduction without reason, a blank."""
    first, second, third = (filled.row(i, named=True) for i in (0, 3, 5))
    fixes = {
        (first["unit_code"], first["item_id"]): {"score": first["score"] + 1.0},
        (second["unit_code"], second["item_id"]): {"score": second["score"] - 1.0, "reason": ""},
        (third["unit_code"], third["item_id"]): {"score": None},
    }
    rows = []
    for row in filled.iter_rows(named=True):
        rows.append({**row, **fixes.get((row["unit_code"], row["item_id"]), {})})
    return pl.DataFrame(rows, schema=filled.schema)


def _survey_with_problems(survey: pl.DataFrame) -> pl.DataFrame:
    """An answer typed as 8, a respondent's answer entered twice, a question not asked."""
    bad = survey.head(3).with_columns(
        pl.Series("answer", ["8", survey["answer"][1], "满意"]),
        pl.Series("question", [survey["question"][0], survey["question"][1], "食堂饭菜"]),
    )
    return pl.concat([survey.head(1), bad.slice(0, 1), survey.slice(1), bad.slice(1, 2)])


def write_key_evaluation(data_dir: str | Path = "data/sample") -> list[Path]:
    """Write the key-evaluation year under ``data_dir/key_evaluation_2024``; return the files.

    Examples
    --------
    >>> import shutil, tempfile
    >>> tmp = Path(tempfile.mkdtemp())
    >>> for name in ("projects.csv", "indicators.csv"):
    ...     _ = shutil.copy(Path("data/sample") / name, tmp / name)
    >>> [p.name for p in write_key_evaluation(tmp)][:3]
    ['projects.csv', 'indicators.csv', 'survey.csv']
    """
    data = Path(data_dir)
    out = data / FOLDER
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(SEED)
    projects = pl.read_csv(data / "projects.csv", infer_schema=False)
    indicators = pl.read_csv(data / "indicators.csv", infer_schema=False)
    codes, dept = _objects(projects, rng)
    mine = projects.filter(
        (pl.col("year") == str(YEAR))
        & (pl.col("project_code").is_in(codes) | (pl.col("dept_code") == dept))
    )
    mine = _funds(mine, rng)
    units = mine.get_column("project_code").to_list()
    ind = indicators.filter((pl.col("year") == str(YEAR)) & pl.col("unit_code").is_in(units))
    survey = _survey([*codes, dept], rng)
    files = {
        "projects.csv": mine,
        "indicators.csv": ind,
        "survey.csv": survey,
        "survey_with_problems.csv": _survey_with_problems(survey),
    }
    written = []
    for name in ("projects.csv", "indicators.csv", "survey.csv"):
        path = out / name
        path.write_bytes(files[name].write_csv(line_terminator="\n").encode("utf-8"))
        written.append(path)
    paper = prepare_paper(out, YEAR, codes)
    filled = _filling(paper.leaves, rng)
    written.append(write_paper(paper, out / "working_paper.xlsx"))
    written.append(write_paper(paper, out / "working_paper_filled.xlsx", filled=filled))
    bad_survey = out / "survey_with_problems.csv"
    bad_survey.write_bytes(
        files["survey_with_problems.csv"].write_csv(line_terminator="\n").encode("utf-8")
    )
    written.append(bad_survey)
    written.append(
        write_paper(paper, out / "working_paper_with_problems.xlsx", filled=_with_problems(filled))
    )
    # the department's overall spending on its own framework (投入/过程/产出/效果)
    dept_paper = prepare_paper(out, YEAR, [dept], "dept-overall-national")
    dept_filled = _filling(dept_paper.leaves, rng)
    written.append(write_paper(dept_paper, out / "working_paper_department.xlsx"))
    written.append(
        write_paper(dept_paper, out / "working_paper_department_filled.xlsx", filled=dept_filled)
    )
    return written


if __name__ == "__main__":
    target_dir = sys.argv[1] if len(sys.argv) > 1 else "data/sample"
    for path in write_key_evaluation(target_dir):
        print(f"{path}  {path.stat().st_size:,} bytes")
