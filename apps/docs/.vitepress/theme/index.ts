import type { Theme } from "vitepress"
import DefaultTheme from "vitepress/theme"
import TrainingDemo from "../../src/demo/TrainingDemo.vue"
import ResultsView from "../../src/report/ResultsView.vue"
import MnistFigures from "./MnistFigures.vue"

// Components used from the markdown pages in docs/, registered once for every page.
const theme: Theme = {
  extends: DefaultTheme,
  enhanceApp: ({ app }) => {
    app.component("TrainingDemo", TrainingDemo)
    app.component("ResultsView", ResultsView)
    app.component("MnistFigures", MnistFigures)
  },
}

export default theme
