"""The study report (``framestudy report``): figures, the HTML page and its markdown twin."""
