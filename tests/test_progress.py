"""cs231n.progress: a bar that reads right after the notebook is saved."""
import nbformat
from nbclient import NotebookClient

from cs231n import progress
from cs231n.grading.stored import WIDGET_VIEW


def _run(source):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(source)]
    NotebookClient(nb, kernel_name="python3", timeout=120, store_widget_state=False).execute()
    return nb.cells[0].outputs


def test_outside_a_notebook_it_is_plain_tqdm():
    from tqdm.std import tqdm as text_tqdm
    assert progress.tqdm is text_tqdm


def test_a_finished_bar_is_stored_at_100_percent_without_a_widget():
    outputs = _run("from cs231n.progress import tqdm\n"
                   "for _ in tqdm(range(40), desc='training'):\n    pass\n"
                   "bar = tqdm(total=10, desc='stopped')\nbar.update(3)\nbar.close()\n"
                   "for _ in tqdm(range(5), desc='gone', leave=False):\n    pass\n")
    bars = [o for o in outputs if o.output_type == "display_data"]
    assert all(WIDGET_VIEW not in o.data for o in bars), "a stored bar must not be a widget"
    texts = [o.data["text/plain"] for o in bars]
    assert texts[0].startswith("training: 100%") and "40/40" in texts[0]
    assert texts[1].startswith("stopped:  30%") and "3/10" in texts[1], "a bar that stopped shows where"
    assert texts[2] == "", "leave=False leaves nothing behind"
    assert "<progress" in bars[0].data["text/html"]
