<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>
<!-- Hotspot style template: the zones of an evaluation (hotspot
     evaluate): the target in red, its displacement buffer hatched
     orange, the control outlined blue, the control's buffer dashed. -->
<qgis version="3.22.0" styleCategories="AllStyleCategories" labelsEnabled="0" hasScaleBasedVisibilityFlag="0" minScale="100000000" maxScale="0">
  <renderer-v2 type="categorizedSymbol" attr="zone" forceraster="0" symbollevels="0" enableorderby="0">
    <categories>
      <category symbol="0" value="target" label="Target" render="true"/>
      <category symbol="1" value="buffer" label="Buffer (where crime may move to)" render="true"/>
      <category symbol="2" value="control" label="Control" render="true"/>
      <category symbol="3" value="control buffer" label="Control's buffer" render="true"/>
    </categories>
    <symbols>
      <symbol type="fill" name="0" alpha="1" clip_to_extent="1" force_rhr="0">
        <layer class="SimpleFill" enabled="1" locked="0" pass="0">
          <prop k="style" v="solid"/>
          <prop k="color" v="215,48,39,110"/>
          <prop k="outline_style" v="solid"/>
          <prop k="outline_color" v="165,0,38,255"/>
          <prop k="outline_width" v="0.6"/>
          <prop k="outline_width_unit" v="MM"/>
        </layer>
      </symbol>
      <symbol type="fill" name="1" alpha="1" clip_to_extent="1" force_rhr="0">
        <layer class="SimpleFill" enabled="1" locked="0" pass="0">
          <prop k="style" v="b_diagonal"/>
          <prop k="color" v="244,109,67,255"/>
          <prop k="outline_style" v="solid"/>
          <prop k="outline_color" v="244,109,67,255"/>
          <prop k="outline_width" v="0.4"/>
          <prop k="outline_width_unit" v="MM"/>
        </layer>
      </symbol>
      <symbol type="fill" name="2" alpha="1" clip_to_extent="1" force_rhr="0">
        <layer class="SimpleFill" enabled="1" locked="0" pass="0">
          <prop k="style" v="solid"/>
          <prop k="color" v="69,117,180,40"/>
          <prop k="outline_style" v="solid"/>
          <prop k="outline_color" v="49,54,149,255"/>
          <prop k="outline_width" v="0.4"/>
          <prop k="outline_width_unit" v="MM"/>
        </layer>
      </symbol>
      <symbol type="fill" name="3" alpha="1" clip_to_extent="1" force_rhr="0">
        <layer class="SimpleFill" enabled="1" locked="0" pass="0">
          <prop k="style" v="no"/>
          <prop k="color" v="255,255,255,0"/>
          <prop k="outline_style" v="dash"/>
          <prop k="outline_color" v="69,117,180,255"/>
          <prop k="outline_width" v="0.4"/>
          <prop k="outline_width_unit" v="MM"/>
        </layer>
      </symbol>
    </symbols>
  </renderer-v2>
  <mapTip>&lt;b&gt;[% "zone" %]&lt;/b&gt;, [% format_number("area_km2", 3) %] km²</mapTip>
  <layerGeometryType>2</layerGeometryType>
</qgis>
