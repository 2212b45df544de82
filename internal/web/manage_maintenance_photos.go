package web

import (
	"bytes"
	"io"
	"net/http"
	"strings"

	"lintel.dev/lintel/internal/lintel"
	"lintel.dev/lintel/internal/photo"
	"lintel.dev/lintel/internal/sqldb"
	"lintel.dev/lintel/internal/upload"
)

// addMaintenancePhotos attaches photos to a request from the manager's
// request page: ones a tenant sent by e-mail after a phone call, or taken
// on a walk-round. Each photo goes through internal/photo like a
// resident's (turned upright, metadata stripped, thumbnail); the answer is
// the request page with a message either way.
func (s *Server) addMaintenancePhotos(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	ctx, st := r.Context(), staffOf(r)
	// Out of scope is a 404 before any of the body is read.
	if _, err := s.db.StaffRequest(ctx, st, id); err != nil {
		return err
	}
	back := requestPath(id) + "#h-photos"
	refuse := func(msgs ...string) error {
		s.flash(r, "No photo was added. "+strings.Join(msgs, " "))
		return redirect(w, r, back)
	}
	if err := upload.Limit(w, r, upload.MaxPhotoRequestBytes); err != nil {
		return refuse(lintel.MessageOf(err))
	}
	uf, err := upload.NewForm(r, upload.Photos())
	if err != nil {
		if lintel.KindOf(err) == lintel.KindInvalid {
			return refuse(lintel.MessageOf(err))
		}
		return err
	}
	var stored []sqldb.NewPhoto
	cleanup := func() { s.deleteBlobs(ctx, photoKeys(stored)...) }
	var problems []string
	for {
		file, err := uf.NextFile()
		if err == io.EOF {
			break
		}
		if err != nil {
			if lintel.KindOf(err) != lintel.KindInvalid {
				cleanup()
				return err
			}
			problems = append(problems, lintel.MessageOf(err))
			break
		}
		if file.Field != "photos" {
			continue
		}
		p, err := photo.Process(ctx, bytes.NewReader(file.Data))
		file.Data = nil
		if err != nil {
			if lintel.KindOf(err) != lintel.KindInvalid {
				cleanup()
				return err
			}
			problems = append(problems, "“"+file.Name+"”: "+lintel.MessageOf(err))
			continue
		}
		if len(problems) > 0 {
			continue
		}
		np, err := s.storePhoto(ctx, file.Name, p)
		if err != nil {
			cleanup()
			return err
		}
		stored = append(stored, np)
	}
	if len(problems) > 0 {
		cleanup()
		return refuse(problems...)
	}
	if err := s.db.AddStaffPhotos(ctx, st, id, stored); err != nil {
		cleanup()
		err = quotaFieldError(err, "photos", "")
		if fe := lintel.FieldsOf(err); len(fe) > 0 {
			return refuse(fe["photos"])
		}
		return err
	}
	if len(stored) == 1 {
		s.flash(r, "Photo added. The tenants and owners see it on the request.")
	} else {
		s.flash(r, "Photos added. The tenants and owners see them on the request.")
	}
	return redirect(w, r, back)
}
