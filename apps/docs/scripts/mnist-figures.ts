console.log("mnist figures: pending")
